<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="sapi" xml:lang="zh-CN">
  <!-- Readings of polyphonic characters in Azure's SAPI phone set (pinyin with tones). -->
  <lexeme>
    <grapheme>朱重八</grapheme>
    <phoneme>zhu 1 chong 2 ba 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>重瞳</grapheme>
    <phoneme>chong 2 tong 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>朱元璋</grapheme>
    <phoneme>zhu 1 yuan 2 zhang 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>长安</grapheme>
    <phoneme>chang 2 an 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>银行</grapheme>
    <phoneme>yin 2 hang 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>行长</grapheme>
    <phoneme>hang 2 zhang 3</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>重庆</grapheme>
    <phoneme>chong 2 qing 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>乐清</grapheme>
    <phoneme>yue 4 qing 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>音乐</grapheme>
    <phoneme>yin 1 yue 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>快乐</grapheme>
    <phoneme>kuai 4 le 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>单于</grapheme>
    <phoneme>chan 2 yu 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>尉迟</grapheme>
    <phoneme>yu 4 chi 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>万俟</grapheme>
    <phoneme>mo 4 qi 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>会计</grapheme>
    <phoneme>kuai 4 ji 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>便宜</grapheme>
    <phoneme>pian 2 yi 5</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>角色</grapheme>
    <phoneme>jue 2 se 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>调查</grapheme>
    <phoneme>diao 4 cha 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>朝阳</grapheme>
    <phoneme>zhao 1 yang 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>朝代</grapheme>
    <phoneme>chao 2 dai 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>曾经</grapheme>
    <phoneme>ceng 2 jing 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>曾国藩</grapheme>
    <phoneme>zeng 1 guo 2 fan 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>长大</grapheme>
    <phoneme>zhang 3 da 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>都市</grapheme>
    <phoneme>du 1 shi 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>首都</grapheme>
    <phoneme>shou 3 du 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>还原</grapheme>
    <phoneme>huan 2 yuan 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>还有</grapheme>
    <phoneme>hai 2 you 3</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>觉得</grapheme>
    <phoneme>jue 2 de 5</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>睡觉</grapheme>
    <phoneme>shui 4 jiao 4</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>数学</grapheme>
    <phoneme>shu 4 xue 2</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>数一数</grapheme>
    <phoneme>shu 3 yi 5 shu 3</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>差不多</grapheme>
    <phoneme>cha 4 bu 5 duo 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>出差</grapheme>
    <phoneme>chu 1 chai 1</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>参差</grapheme>
    <phoneme>cen 1 ci 1</phoneme>
  </lexeme>
</lexicon>
