"""What a sentence carries: the asked slot (a figure next to the indicator — see `rag.answer.indicator` —,
a list, a date, a name), compound and share indicators, and region/year/kind/resident-group agreement.

These checks feed the answer step (`rag.answer.extractive`) and the learned
sentence scorer (`rag.answer.rerank`). Vocabulary here is general to Chinese
government reports, not to any one document.
"""

from __future__ import annotations

import re

from ..domain.figures import TARGET_CUE, kind_of, passage_year
from ..domain.named_sets import members
from ..domain.periods import CN_YEAR, DAY, FIVE_YEAR_PLANS, YEAR_WORD, period_disagrees, years_in
from ..domain.places import region_aliases
from ..domain.reports import despace
from ..domain.tokenize import has_person_name, tokenize
from ..domain.units import MEASURE_WORDS
from ..domain.vocabulary import RANK, RESIDENT_NAMES, sentence_residents
from ..question.model import Question
from ..types import Hit
from .indicator import found, near_indicator, slot_figures

ENUM = re.compile(r"[、]")
_RATIO = re.compile(r"\d+(?:\.\d+)?\s*[∶:：]\s*\d+(?:\.\d+)?\s*[∶:：]\s*\d+(?:\.\d+)?")  # a composition a：b：c
_DAY = re.compile(DAY)
_DATE = re.compile(rf"{YEAR_WORD.pattern}|{DAY}|{CN_YEAR.pattern}")
# Words that mark a planned figure (general report vocabulary).


def has_slot(q: Question, sentence: str) -> bool:
    """Does the sentence carry the kind of thing the question asks for?"""
    if q.asked == "rank":
        return bool(RANK.search(sentence))
    if q.asked == "number":
        if "percent" in q.units and _RATIO.search(near_indicator(q, sentence)):  # "三次产业比为5.1：60.4：34.5"
            return True
        return bool(slot_figures(q, sentence))
    if q.asked == "list":
        if q.named_set is not None and q.named_set.text in sentence.replace("“", "").replace("”", ""):
            return bool(members(q.named_set, sentence))  # a sentence naming the group must give its members
        return _enumerates(around_asked_noun(q, sentence))
    if q.asked == "date":
        if any(w in q.text for w in ("哪天", "哪一天", "几月", "日期")):
            return bool(_DAY.search(sentence))
        return bool(_DATE.search(sentence))
    if q.asked == "person":
        return has_person_name(sentence)
    return True


def is_title_block(chunk) -> bool:
    """The report's title block: its own section, or the opening of a text that runs it into the body."""
    return chunk.section == ("标题",) or (chunk.paragraph == 0 and chunk.start == 0)


def title_slot(q: Question, chunk, sentence: str) -> bool:
    """A report's title block carries its speaker, delivery date and meeting (read into its metadata,
    whatever jieba makes of the names): it has the slot of a question about the report."""
    if not q.about_report or not is_title_block(chunk):
        return False
    meta, plain = chunk.meta, despace(sentence)
    if q.asked == "person":
        return bool(meta.speaker) and meta.speaker in plain
    if q.asked == "date":
        return bool(meta.date) and f"{int(meta.date[5:7])}月" in plain
    return bool(meta.meeting) and "会议" in plain


def _enumerates(text: str) -> bool:
    lead = re.search(r"[：:](.+)", text)  # "主要是：A，B；C…" lists after a colon
    return (
        len(ENUM.findall(text)) >= 1 or text.count("；") >= 2 or bool(lead and len(re.findall(r"[，；,;]", lead.group(1))) >= 2)
    )


_WHICH_NOUN = re.compile(rf"(?:哪些|哪几{MEASURE_WORDS}?)([\u4e00-\u9fff]{{2,4}}?)(?:[？?，,。]|$)")


def around_asked_noun(q: Question, sentence: str) -> str:
    """For "哪些<noun>" asks: the clause of the noun's first mention in the
    sentence and the next (an enumeration elsewhere lists other things: "经过策划论证、征求意见，
    遴选了12件民生项目" counts the projects, it does not list them). The whole
    sentence when the noun is not named."""
    m = _WHICH_NOUN.search(q.text)
    i = sentence.find(m.group(1)) if m else -1
    if i < 0:
        return sentence
    bounds = [0] + [b.end() for b in re.finditer(r"[，,；;。：:]", sentence)] + [len(sentence)]
    k = next(j for j in range(len(bounds) - 1) if bounds[j] <= i < bounds[j + 1])
    return sentence[bounds[k] : bounds[min(len(bounds) - 1, k + 2)]]


_HOW_MANY = re.compile(rf"多少|几(?:{MEASURE_WORDS}|年)?")
COMPOUND_MIN = 4  # characters: a compound indicator name (税收收入, 进出口总额, 人均可支配收入)
# What may follow the indicator's head noun before "多少": measure words, time and
# comparison adverbs, predicates (general question Chinese). Anything else after a
# compound means the compound only modifies the head ("电动汽车充电桩总数").
_PREDICATE_ONLY = re.compile(
    r"(?:的|了|总数|数量|总量|规模|金额|水平|同比|比上年|较上年|年均|累计|全年|分别|实际|预计|共|一共|总共|合计|"
    r"增长|增速|下降|提高|提升|降低|减少|增加|达到|达|完成|实现|突破|为|是|有|到|在|要|将|计划|目标|预期)*"
)


def without_places(q: Question, text: str) -> str:
    """`text` with the places the question names (as written, full and short names) blanked."""
    forms = {m.text for m in q.mentions} | {f for m in q.mentions for p in m.places for f in p.forms}
    forms |= {a for name in q.other_places for a in region_aliases(name)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, " ")
    return text


def asked_compounds(q: Question) -> list[str]:
    """For "多少" questions: the compound indicator names (report vocabulary, four or
    more characters) in the words just before the ask — "张店区2022年税收收入同比增长了
    多少" -> ["税收收入"]. Regions and years are not part of it."""
    m = _HOW_MANY.search(q.text) if q.asked == "number" and not q.counted else None
    if not m:
        return []  # (a noun counted after 多少 is the indicator itself: `Question.phrases`)
    segment = re.split(r"[，,；;：:（(]", q.text[: m.start()])[-1]
    segment = without_places(q, segment)
    words = set(tokenize(segment))
    return [
        t
        for t in dict.fromkeys(q.terms)
        if len(t) >= COMPOUND_MIN
        and t in words
        and q.weights.get(t, 0.0) > 0
        and _PREDICATE_ONLY.fullmatch(segment[segment.find(t) + len(t) :].strip())
    ]


def names_compounds(q: Question, sentence: str) -> bool:
    """Does the sentence name every compound indicator the question asks about — as written, or every
    word of it ("粮食产量" in "粮食播种面积1.1亿亩、产量825亿斤")?"""
    return all(found(t, sentence, q) or all(w in sentence for w in tokenize(t) if w != t) for t in asked_compounds(q))


_SHARE = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,14}?)占([\u4e00-\u9fffA-Za-z]{1,14}?)的?(?:比重|比例|份额)")


def share_numerator(q: Question) -> list[str]:
    """For "X占Y的比重是多少" questions: the question terms of X, the part whose share is asked
    ("研发投入占GDP比重" -> [研发, 投入]); [] for other questions."""
    m = _SHARE.search(YEAR_WORD.sub(" ", q.text)) if q.asked == "number" else None
    if not m:
        return []
    part = m.group(1)
    part = without_places(q, part)
    words = set(tokenize(part))
    return [t for t in dict.fromkeys(q.terms) if t in words and q.weights.get(t, 1.0) > 0]


def names_share_part(q: Question, sentence: str) -> bool:
    """A share answers only if the sentence names the part: "“四强”产业增加值占规上工业比重54%"
    is no answer to a question about the share of 研发投入."""
    part = share_numerator(q)
    return not part or any(found(t, sentence, q) for t in part)


def names_place(places: list, sentence: str) -> bool:
    """Does the sentence name one of the places (full or short name)?"""
    return any(form in sentence for p in places for form in p.forms)


def agrees(q: Question, hit: Hit, sentence: str) -> tuple[bool, str]:
    """Region/year/kind/resident-group agreement between the question and a passage; reason if not."""
    chunk = hit.chunk
    if q.residents is not None:
        given = sentence_residents(sentence)
        if given and q.residents not in given:
            return False, "只给出了" + "、".join(RESIDENT_NAMES[g] for g in sorted(given)) + "的数据"
    scope = q.scope
    if scope is not None:
        role = scope.role(chunk.doc_id)
        if not role:
            return False, f"只找到{chunk.meta.region or '其他地区'}的相关内容"
        if role == "higher" and not names_place(scope.places, sentence):
            asked = "、".join(p.name for p in scope.places)
            own = "" if scope.own else f"{asked}没有自己的报告，"
            return False, f"{own}上级{chunk.meta.region}的报告中这句话没有提到{asked}"
    elif q.other_places:
        # A place the place data does not hold (a new district, a typo) must be named by the sentence.
        if not any(a in sentence for p in q.other_places for a in region_aliases(p)):
            return False, f"没有关于{'、'.join(q.other_places)}的具体内容，只找到{chunk.meta.region or '其他地区'}的相关内容"
    years = q.years_for(chunk)
    if years:
        mentioned = set(years_in(sentence))
        year = passage_year(chunk)
        if mentioned and not mentioned & years and year not in years:
            return False, f"只找到{'、'.join(str(y) for y in sorted(mentioned))}年的相关内容"
        if not mentioned and year is not None and year not in years:
            return False, f"只找到{year}年的相关内容"
        covered = {chunk.meta.year, *chunk.meta.review_years, *chunk.meta.plan_years} - {None}
        if chunk.meta.doc_type == "政府工作报告" and chunk.meta.year:
            covered.add(chunk.meta.year - 1)  # a work report always reviews the year before it
        if not mentioned and year is None and covered and not years & covered:
            # a passage states another year's figure only with its year: this report is about other years
            return (
                False,
                f"这份报告只涉及{'、'.join(f'{y}年' for y in sorted(covered))}，没有写{'、'.join(f'{y}年' for y in sorted(years))}的情况",
            )
    plans = [p for p in q.periods if p in FIVE_YEAR_PLANS]
    if (plans or "past-five-years" in q.periods) and q.asked == "number":
        lead = chunk.text[: max(0, chunk.text.find(sentence))]
        why = period_disagrees(plans, sentence, " ".join(chunk.section), lead, chunk.meta.year)
        if why:
            return False, why
    is_target = bool(TARGET_CUE.search(sentence))
    if q.kind == "actual" and chunk.period_kind == "plan" and is_target and kind_of(sentence, chunk) == "目标":
        return False, "资料只给出了目标，没有实际完成数"
    if q.kind == "target" and chunk.period_kind == "review" and not is_target:
        return False, "资料只给出了实际完成数，没有目标"
    return True, ""
