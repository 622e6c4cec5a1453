"""A target against its result (`Question.completion`): the two parts' answers — the target from the report that
plans the year, the result from the report that reviews it, each cited — and a verdict where the two figures
compare (`rag.domain.targets.verdict`); where they do not, the answer says why and gives no verdict. Asked
whether it was met ("完成了吗") with one of the two not found, the answer is a refusal that shows the other."""

from __future__ import annotations

from ..domain.targets import asks_verdict, verdict
from ..types import Answer
from .extractive import merge_answers


def completion_answer(question: str, target: Answer, actual: Answer, indicator: str = "") -> Answer:
    merged = merge_answers(question, [target, actual])
    if target.refused:
        judged = "无法判断：报告中没有找到这一年的目标"
    else:
        judged = verdict(target.short, "" if actual.refused else actual.short, indicator).text
    word, _, why = judged.partition("：")
    merged.text += f"\n结论：{word}（{why}）"
    merged.notice = "按目标与实际完成情况作答：① 目标 ② 实际"
    if asks_verdict(question) and (target.refused or actual.refused):
        merged.refused = True  # "完成了吗" cannot be answered without both: what was found is shown, unjudged
        merged.short = merged.headline = ""
    if not merged.refused:
        merged.headline += f"；结论：{word}"
        merged.short += f"；{word}"
    return merged
