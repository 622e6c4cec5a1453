"""Targets against results: whether a question asks if a year's target was met, and the verdict on a target
figure and a result figure as reports write them.

- A completion question: "江苏去年经济增长目标完成了吗", "有没有达到年初的预期目标", "目标和实际各是多少",
  "原计划增长多少，最后实际增长多少", "跟目标比怎么样". `completion_base` gives what is asked about (the place,
  the year, the indicator) without the completion words, from which the two questions are built.
- A verdict only where the two figures compare: both numbers of one unit family ("5%以上" vs "5.6%": 完成;
  "5%以上" vs "4.8%": 未完成, 低于目标; no figure is computed, both are quoted). A floor is met by a result at or above it, a ceiling
  ("控制在3%左右", "5.5%以内", 失业率, 价格, 能耗) by one at or below it, a range ("4.5%—5%") by one at or above
  its lower end. A target without a figure, a missing result or figures of different kinds get no verdict,
  and the reason says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .units import comparable, falls, figures, signed_base, to_base

_ASK = r"(?:吗|没有|没|了没|与否|情况|得怎么样|得如何|怎么样|如何)"
_DONE = r"(?:完成|实现|达到|达成|完成了|实现了|达到了|达成了)"
# Asking whether the target was met (a verdict) …
VERDICT_ASK = re.compile(
    rf"(?:目标|预期)[^，,？?。]{{0,8}}?{_DONE}[^，,？?。]{{0,6}}?{_ASK}"  # 目标完成了吗, 目标实现得怎么样
    rf"|(?:有没有|是否|有无)?{_DONE}[了]?(?:年初|当年|年度|全年)?(?:的)?(?:预期|既定)?(?:目标|预期)"  # 达到年初目标了吗
    r"|目标区间"  # 落在年初目标区间里了吗
    rf"|(?:目标|预期)[^？?。]{{0,20}}?[，,]\s*(?:实际|最后|最终){_DONE}?[得的]?(?:怎么样|如何|情况)"  # 目标定在…的省份，实际完成得怎么样
    r"|(?:跟|和|与|同)(?:年初|当年)?(?:的)?目标(?:比|相比|对比)"  # 和目标相比如何
)
# … or for the target and the result side by side.
VALUES_ASK = re.compile(
    r"目标(?:和|与|及)实际|计划[^？?。]{0,12}?实际"  # 目标和实际各是多少 (not "两省目标对比": targets side by side)
    r"|目标[^？?。，,]{0,6}[，,？?、]\s*(?:最后|最终)?实际"  # 目标是多少，实际增长了多少
    r"|[？?，,]\s*(?:当年|年初)?(?:的)?(?:预期)?目标(?:是|为)?(?:多少|呢|几)"  # …多少人？目标是多少（same year）
)
COMPLETION = re.compile(f"{VERDICT_ASK.pattern}|{VALUES_ASK.pattern}")
# Words of the completion phrasing, not of the indicator ("北京去年定的经济增长" → "北京去年经济增长").
_NOT_INDICATOR = re.compile(
    r"(?:原|最初|年初|当年)?(?:定的|定下的|确定的|提出的|设定的)|原计划|原来|实际|完成了?|(?:年初的?|原|的|没有|落在|在)$"
)
_TRAILING_ASK = re.compile(r"(?:是|为|有)?(?:多少|几|什么|怎样|如何)[^？?，,。]*$")

# Indicators whose target is a ceiling: lower is better.
_CEILING_INDICATOR = re.compile(r"失业率|价格|物价|CPI|能耗|排放|浓度|负债率|赤字率|发生率|死亡率")
_CEILING_WORDS = re.compile(r"以内|以下|不超过|不高于|控制在|低于")


def asks_completion(text: str) -> bool:
    return bool(COMPLETION.search(text))


def asks_verdict(text: str) -> bool:
    """Whether the target was met is asked ("完成了吗"), not only the two figures ("目标和实际各是多少")."""
    return bool(VERDICT_ASK.search(text))


def completion_base(text: str) -> str:
    """What a completion question asks about, without the completion words: "北京去年定的经济增长目标完成了没有？
    目标和实际各是多少？" → "北京去年经济增长"; "湖南2025年粮食产量是多少？达到当年目标了吗？" → "湖南2025年粮食产量"."""
    m = COMPLETION.search(text)
    head = text[: m.start()] if m else text
    head = re.sub(r"[？?。！!]\s*$", "", head.strip(" ，,；;"))
    head = head.replace("？", "，").replace("?", "，")
    head = _TRAILING_ASK.sub("", head).strip(" ，,；;、")
    head = re.sub(r"(?:的)?(?:目标|预期目标|计划|实际)$", "", head)
    while (cut := _NOT_INDICATOR.sub("", head)) != head:
        head = cut
    return head.strip(" ，,；;、")


@dataclass(frozen=True)
class Verdict:
    met: bool | None  # None: no verdict
    text: str  # "完成：实际5.6%，高于目标5%以上" / "无法判断：目标是定性表述，没有可比较的数值"


def verdict(target: str, actual: str, indicator: str = "") -> Verdict:
    """The verdict on a target (as written, "5%以上", "控制在3%左右", "4.5%—5%") and a result ("增长5.6%")."""
    if not actual:
        return Verdict(None, "无法判断：报告没有给出实际完成数")
    t_figs, a_figs = figures(target), figures(actual)
    if not t_figs or t_figs[0].number is None:
        return Verdict(None, "无法判断：目标没有给出可比较的数值")
    if not a_figs or a_figs[0].number is None:
        return Verdict(None, "无法判断：实际完成情况没有给出可比较的数值")
    t, a = t_figs[0], a_figs[0]
    fell = falls(actual, a)
    if not comparable(t, a):
        return Verdict(None, f"无法判断：目标（{t.text}）和实际（{a.text}）不是同一口径的数值")
    low, high = to_base(t.number, t.unit), to_base(t_figs[-1].number if "—" in t.text or "-" in t.text else t.number, t.unit)
    value = signed_base(actual, a)
    if re.search(r"下降|减少", target) and t.family == "percent":
        low, high = -high, -low
    ceiling = bool(_CEILING_WORDS.search(target)) or bool(_CEILING_INDICATOR.search(indicator))
    if ceiling:
        met = value <= high
        how = f"不高于目标{t.text}" if met else f"高于目标{t.text}"
    else:
        met = value >= low
        how = f"达到目标{t.text}" if met else f"低于目标{t.text}"
    return Verdict(met, f"{'完成' if met else '未完成'}：实际{'下降' if fell else ''}{a.text}，{how}")
