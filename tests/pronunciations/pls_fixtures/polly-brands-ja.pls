<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0"
    xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"
    alphabet="ipa" xml:lang="ja-JP">
  <!-- Brand names a Japanese voice reads letter by letter. Polly matches case-sensitively,
       so the list repeats names in the casings seen in product feeds. -->
  <lexeme>
    <grapheme>Keepalived</grapheme>
    <grapheme>keepalived</grapheme>
    <alias>キープアライブディー</alias>
  </lexeme>
  <lexeme>
    <grapheme>UNIQLO</grapheme>
    <alias>ユニクロ</alias>
  </lexeme>
  <lexeme>
    <grapheme>Shiseido</grapheme>
    <alias>資生堂</alias>
  </lexeme>
  <lexeme>
    <grapheme>Uniqlo</grapheme>
    <alias>ユニクロ</alias>
  </lexeme>
  <lexeme>
    <grapheme>Muji</grapheme>
    <alias>ムジ</alias>
  </lexeme>
  <lexeme>
    <grapheme>MUJI</grapheme>
    <alias>無印良品</alias>
  </lexeme>
</lexicon>
