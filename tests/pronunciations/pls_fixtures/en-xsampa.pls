<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      alphabet="x-sampa" xml:lang="en-US">
  <lexeme><grapheme>pecan</grapheme><phoneme>pI"kA:n</phoneme></lexeme>
  <lexeme><grapheme>carrot</grapheme><phoneme>"k{r\@t</phoneme></lexeme>
  <lexeme><grapheme>either</grapheme><phoneme>"i:D@`</phoneme></lexeme>
  <lexeme><grapheme>broken</grapheme><phoneme>"br\@U$k@n</phoneme></lexeme>
</lexicon>
