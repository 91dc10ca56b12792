<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      alphabet="cmu-arpabet" xml:lang="en-US">
  <lexeme><grapheme>tomato</grapheme><phoneme>T AH0 M EY1 T OW2</phoneme></lexeme>
  <lexeme><grapheme>SLNG</grapheme><phoneme>S L IH1 NG</phoneme></lexeme>
  <lexeme><grapheme>Kubernetes</grapheme><phoneme>K UW2 B ER0 N EH1 T IY0 Z</phoneme></lexeme>
  <lexeme><grapheme>broken</grapheme><phoneme>B R OW1 QQ</phoneme></lexeme>
</lexicon>
