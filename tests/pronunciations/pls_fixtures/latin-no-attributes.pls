<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">
  <!-- A Latin word list in use without xml:lang or alphabet on the root. -->
  <lexeme>
    <grapheme>
      et
    </grapheme>
    <phoneme>
      ɛt
    </phoneme>
  </lexeme>
  <lexeme>
    <grapheme>caelum</grapheme>
    <phoneme>ˈkae̯.lum</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>Caesar</grapheme>
    <phoneme>ˈkae̯.sar</phoneme>
  </lexeme>
</lexicon>
