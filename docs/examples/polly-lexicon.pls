<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0"
      xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"
      alphabet="ipa" xml:lang="en-US">
  <!-- Kept for Amazon Polly, which matches as written: names repeat in their casings. -->
  <lexeme>
    <grapheme>Keepalived</grapheme>
    <grapheme>keepalived</grapheme>
    <alias>keep alive D</alias>
  </lexeme>
  <lexeme>
    <grapheme>
      nginx
    </grapheme>
    <alias>
      engine X
    </alias>
  </lexeme>
  <lexeme>
    <grapheme>NGINX</grapheme>
    <alias>engine X</alias>
  </lexeme>
  <lexeme>
    <grapheme>SQL</grapheme>
    <alias>sequel</alias>
  </lexeme>
  <lexeme>
    <grapheme>sql</grapheme>
    <alias>S Q L</alias>
  </lexeme>
  <lexeme>
    <grapheme>tomato</grapheme>
    <phoneme>təˈmɑːtoʊ</phoneme>
  </lexeme>
</lexicon>
