"""One figure at two times, compared (`Question.comparison`): both parts' answers, each cited, and a conclusion that
orders their figures as written (`rag.domain.comparisons.order`). Without both figures, or where they do not
compare, there is no conclusion, and the answer says why; asked which is higher with one missing, it is a
refusal that shows the part it found."""

from __future__ import annotations

from ..domain.comparisons import YearComparison, order
from ..types import Answer
from .extractive import merge_answers


def comparison_answer(question: str, asked: YearComparison, first: Answer, second: Answer, labels: tuple[str, str]) -> Answer:
    merged = merge_answers(question, [first, second])
    a, b = labels
    if first.refused or second.refused:
        merged.text += f"\n结论：无法比较（报告中没有找到{a if first.refused else b}的数值）"
        merged.refused = True  # which is higher cannot be said without both: what was found is shown
        merged.short = merged.headline = ""
        return merged
    how = order(first.short, second.short)
    if how is None:
        word = "无法比较"
        merged.text += f"\n结论：无法比较（{a}{first.short}和{b}{second.short}不是同一口径的数值）"
    else:
        up, down = ("增加", "减少") if asked.rise_fall else ("高", "低")
        word = {1: f"{a}比{b}{up}", -1: f"{a}比{b}{down}", 0: f"{a}与{b}持平"}[how]
        merged.text += f"\n结论：{word}（{a}{first.short}，{b}{second.short}；按报告所写数值比较）"
    merged.notice = f"按两个年份分别作答：① {a} ② {b}"
    merged.headline += f"；结论：{word}"
    merged.short += f"；{word}"
    return merged
