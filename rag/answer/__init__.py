"""Stage 4 — answer: a read `Question` and its retrieved `Hit`s in, a cited `Answer` out.

- `base`: the `Answerer` protocol and the streamed `Response` every answerer returns;
- `extractive`: the default answerer — candidate sentences, reranked (`rerank` over `features`),
  checked by the ordered refusal policy (`refusal`), quoted with [n] citations;
- `indicator`: where the asked indicator sits in a sentence and which figures belong to it;
- `short`: the asked value alone and the headline (region · year · kind);
- `outline`: "which areas of work" from a report's numbered headings;
- `table`: questions across regions or years, answered from the indicator records;
- `llm/`: the OpenAI-compatible generated answer, every figure verified, the extractive answer its fallback.
"""
