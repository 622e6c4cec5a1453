"""What a sentence carries: figures with units, the asked slot next to the
indicator, coverage of the question's terms, and region/year/kind agreement.

These checks feed the answer step (`rag.answering`) and the learned
sentence scorer (`rag.rerank`). Vocabulary here is general to Chinese
government reports, not to any one document.
"""

from __future__ import annotations

import re

from .domain.periods import CN_YEAR, YEAR_WORD, years_in
from .domain.units import Figure
from .domain.units import figures as find_figures
from .groups import members
from .question import CHANGE_WORDS, Question, region_aliases
from .retrieval import chunk_years, passage_year
from .tokenize import has_person_name, tokenize, word_cuts, words
from .types import Hit

ENUM = re.compile(r"[、]")
_RATIO = re.compile(r"\d+(?:\.\d+)?\s*[∶:：]\s*\d+(?:\.\d+)?\s*[∶:：]\s*\d+(?:\.\d+)?")  # a composition a：b：c
_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日")
_DATE = re.compile(rf"{YEAR_WORD.pattern}|\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|{CN_YEAR.pattern}")
# Words that mark a planned figure (general report vocabulary).
TARGET_CUE = re.compile(r"力争|目标|预期|计划|确保|争取|以上|左右|突破|达到|控制在|不低于")


def figures(text: str) -> list[Figure]:
    """Figures in a text, years excluded ("2022年" is a date, not an amount)."""
    return find_figures(text)


def bigrams(text: str) -> set[str]:
    text = re.sub(r"[\W\d_]+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def found(term: str, text: str, q: Question) -> bool:
    return term in text or any(form in text for form in q.aliases.get(term, ()))


def coverage(q: Question, sentence: str, context: str) -> float:
    """IDF-weighted share of the question's terms found in the sentence.

    Terms the corpus never uses (paraphrase words such as 经济总量) carry no
    weight unless one of their report wordings is found; a term found only
    in the passage header/section counts half.
    """
    total = got = 0.0
    for t in dict.fromkeys(q.terms):
        if t.isdigit():
            continue
        w = q.weights.get(t, 1.0)
        forms = q.aliases.get(t, ())
        if w == 0.0 and forms:
            w = max(q.weights.get(f, 0.0) for f in forms) or 2.0
        if w == 0.0:
            continue
        total += w
        if found(t, sentence, q):
            got += w
        elif found(t, context, q):
            got += w * 0.5
    return got / total if total else 0.0


def term_weight(q: Question, t: str) -> float:
    """IDF of a term; a paraphrase with a known report wording ranks above plain words."""
    forms = q.aliases.get(t, ())
    if forms:
        return max((q.weights.get(tok, 0.0) for f in forms for tok in (f, *tokenize(f))), default=0.0) + 1.0
    return q.weights.get(t, 1.0)


def indicator_positions(q: Question, sentence: str, top: int = 3) -> list[int]:
    """Where the asked indicator may sit: the end of each of the rarest question
    terms found (one position per term, its first report wording found). Change
    and kind words (`CHANGE_WORDS`) count only when the question has no other terms."""
    named = named_terms(q)
    return _term_ends(q, named or list(dict.fromkeys(q.terms)), sentence, top)


def named_terms(q: Question) -> list[str]:
    """The question's terms that may name the indicator: all but the change and kind words."""
    return [t for t in dict.fromkeys(q.terms) if t not in CHANGE_WORDS]


MAX_OCCURRENCES = 3  # a term named several times in a sentence: each of its clauses may hold the figure


def _term_ends(q: Question, terms: list[str], sentence: str, top: int) -> list[int]:
    """Ends of the `top` weightiest terms found, every occurrence of each (up to `MAX_OCCURRENCES`)."""
    found = []
    cuts = None
    generic_only = all(t in GENERIC_HEADS for t in terms)
    for t in terms:
        if _part_of_absent(q, t, sentence) or (t in GENERIC_HEADS and not generic_only):
            continue
        for form in (t, *q.aliases.get(t, ())):
            i = sentence.find(form)
            if i >= 0 and len(form) <= 2:
                cuts = word_cuts(sentence) if cuts is None else cuts
                i = _first_within_words(sentence, form, i, cuts)
            if i >= 0:
                ends = []
                while i >= 0 and len(ends) < MAX_OCCURRENCES:
                    ends.append(i + len(form))
                    i = sentence.find(form, i + len(form))
                    if i >= 0 and len(form) <= 2:
                        i = _first_within_words(sentence, form, i, cuts)
                found.append((term_weight(q, t) + len(form) * 0.01, ends))
                break
    found.sort(key=lambda x: -x[0])
    return [pos for _, ends in found[:top] for pos in ends]


# Heads many indicators share ("社会消费品零售总额", "进出口总额"): they do not say which indicator is meant.
GENERIC_HEADS = frozenset("总额 总值 总量 规模 金额 数量 比重 比例 占比 水平".split())


def _part_of_absent(q: Question, t: str, sentence: str) -> bool:
    """Is `t` only a piece of a longer question word the sentence lacks ("出口" of "进出口": an 出口 figure
    is no 进出口 figure)?"""
    if t in q.aliases:
        return False  # a known paraphrase ("社零" of "社零额") stands for the report's wording
    for w in q.terms:
        if len(w) > len(t) and t in w and not found(w, sentence, q):
            pieces = [x for x in q.terms if x != w and x in w]
            if not all(found(x, sentence, q) for x in pieces):  # "粮食产量" written apart (粮食…总产量) is there
                return True
    return False


def _first_within_words(sentence: str, form: str, i: int, cuts: set[int]) -> int:
    """The first match of a short term that starts or ends on a word boundary: "外资" is
    in "外资企业" and "使用外资", not in "省外资金" (省外|资金); a one-character term
    must be a whole word ("好" is not in "抓好"). -1 if none."""
    while i >= 0:
        starts, ends = i in cuts, i + len(form) in cuts
        if (starts and ends) if len(form) == 1 else (starts or ends):
            return i
        i = sentence.find(form, i + 1)
    return -1


def unit_ok(q: Question, figure: Figure) -> bool:
    """Is the figure in a unit family the question asks for? A bare number ("1455") may be followed by
    a classifier the unit table lacks: it counts as a count."""
    if not q.units:
        return True
    return (figure.family or "count") in q.units


# A question about how much something grew, and the words that make a figure a share of something else.
_GROWTH_ASK = re.compile(r"增长|增速|增幅|涨幅|下降|提高|提升|降低")
_SHARE_WORDS = re.compile(r"比重|占比|占[^，,；;。]{0,10}$|份额")


# A figure over several years ("近3年", "三年来", "年均"): no answer to a question about one year.
_SPAN = re.compile(r"近[一二三四五六七八九十两\d]+年|[一二三四五六七八九十两\d]+年来|过去[一二三四五六七八九十两\d]+年|年均")


def has_slot(q: Question, sentence: str) -> bool:
    """Does the sentence carry the kind of thing the question asks for?"""
    if q.asked == "number":
        if "percent" in q.units and _RATIO.search(near_indicator(q, sentence)):  # "三次产业比为5.1：60.4：34.5"
            return True
        return bool(slot_figures(q, sentence))
    if q.asked == "list":
        if q.group is not None and q.group.text in sentence.replace("“", "").replace("”", ""):
            return bool(members(q.group, sentence))  # a sentence naming the group must give its members
        return _enumerates(around_asked_noun(q, sentence))
    if q.asked == "date":
        if any(w in q.text for w in ("哪天", "哪一天", "几月", "日期")):
            return bool(_DAY.search(sentence))
        return bool(_DATE.search(sentence))
    if q.asked == "person":
        return has_person_name(sentence)
    return True


def title_slot(q: Question, chunk, sentence: str) -> bool:
    """A report's title block carries its speaker, delivery date and meeting (read into its metadata,
    whatever jieba makes of the names): it has the slot of a question about the report."""
    if not q.about_report or chunk.section != ("标题",):
        return False
    meta = chunk.meta
    if q.asked == "person":
        return bool(meta.speaker) and meta.speaker in sentence
    if q.asked == "date":
        return bool(meta.date) and f"{int(meta.date[5:7])}月" in sentence
    return bool(meta.meeting) and "会议" in sentence


def _enumerates(text: str) -> bool:
    lead = re.search(r"[：:](.+)", text)  # "主要是：A，B；C…" lists after a colon
    return (
        len(ENUM.findall(text)) >= 1 or text.count("；") >= 2 or bool(lead and len(re.findall(r"[，；,;]", lead.group(1))) >= 2)
    )


_WHICH_NOUN = re.compile(r"(?:哪些|哪几[个项家类种条所座批]?)([\u4e00-\u9fff]{2,4}?)(?:[？?，,。]|$)")


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


_HOW_MANY = re.compile(r"多少|几[个家项座所条处人名户张台辆套件次批位年]?")
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


def phrase_unwritten(q: Question, sentence: str) -> bool:
    """Does the sentence write almost nothing of the question's indicator phrase? Fewer than a third of
    its characters ("货物进出口总额" against "国内生产总值超过126万亿元": 总 only). Paraphrases share
    some ("奖励补贴" ↔ 奖补资金, "案件发生比率" ↔ 发案率) and pass; a report wording of a known paraphrase
    counts as the whole phrase (坏账 → 不良贷款)."""
    if q.asked != "number" or not q.phrases:
        return False
    phrase = q.phrases[0]
    if any(form in sentence for t, forms in q.aliases.items() if t in phrase for form in forms):
        return False
    chars = {ch for ch in phrase if "\u4e00" <= ch <= "\u9fff"}
    return len(chars) >= 3 and sum(ch in sentence for ch in chars) * 3 < len(chars)


# Modifiers that every report puts before its own indicators ("全省生产总值" for 地区生产总值).
_SCOPE_MODIFIERS = frozenset("地区 全省 全市 全区 全县 全国 全年 年度 本地".split())


def other_indicator(q: Question, sentence: str) -> bool:
    """Does the sentence give the asked indicator's head with none of its modifiers — another indicator
    of the same kind ("数字经济核心产业增加值" for 规模以上工业增加值, "社会消费品零售总额" for 进出口
    总额, "居民人均可支配收入" for 一般公共预算收入)? A paraphrase that changes the head ("奖励补贴" ↔ 奖补
    资金) is not judged here."""
    if q.asked != "number" or not q.phrases:
        return False
    parts = [w for w in words(q.phrases[0]) if len(w) >= 2]
    if len(parts) < 2 or parts[-1] not in SHARED_HEADS:
        return False
    head, modifiers = parts[-1], [w for w in parts[:-1] if w not in _SCOPE_MODIFIERS]
    if not modifiers or not found(head, sentence, q):
        return False
    # a longer modifier may be reworded ("农村居民" ↔ 城乡居民: half its characters); a two-character one not
    return not any(found(w, sentence, q) or (len(w) > 2 and sum(ch in sentence for ch in w) * 2 >= len(w)) for w in modifiers)


# Heads that many statistics share: only their modifiers say which one is meant (report vocabulary).
SHARED_HEADS = frozenset("增加值 总额 总值 收入 支出 投资 产值 营业收入 利润 总量 规模 销售额 零售额".split())


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


def phrase_positions(q: Question, sentence: str) -> list[int]:
    """Where the question's indicator phrase ends in the sentence, each time the sentence writes it out
    ("居民收入增长与经济增长同步" for "居民收入增长的目标"; a report wording of a paraphrase counts:
    外贸 → 进出口). Only the most important phrase (`Question.phrases[0]`) places windows: when the
    sentence does not write it out, the question's terms do (`indicator_positions`)."""
    if not q.phrases:
        return []
    phrase = q.phrases[0]
    cuts = None
    for form in (phrase, *q.aliases.get(phrase, ())):
        ends, i = [], sentence.find(form)
        while i >= 0 and len(ends) < MAX_OCCURRENCES:
            if len(form) <= 2:  # short forms only on word boundaries ("外资" is not in "省外资金")
                cuts = word_cuts(sentence) if cuts is None else cuts
                i = _first_within_words(sentence, form, i, cuts)
                if i < 0:
                    break
            ends.append(i + len(form))
            i = sentence.find(form, i + len(form))
        if ends:
            return ends
    return []


# A clause that goes on with the indicator of the clause before it: it opens with a predicate or a
# figure ("…完成805亿元，同比增长3.4%"), not with another indicator ("…与经济增长同步，单位地区生产总值能耗…").
_CONTINUES = re.compile(
    rf"^\s*(?:{YEAR_WORD.pattern}|全省|全市|全区|全县|全国)?\s*(?:同比|比上年|较上年|分别|年均|累计|预计|全年|约|共|均|其中)?\s*"
    r"(?:增长|增速|增幅|涨幅|下降|降低|提高|提升|减少|增加|达到|达|完成|实现|突破|超过|为|是|保持|稳定在|控制在|占|\d)"
)


MAX_CONTINUATION = 3  # clauses that may go on with one indicator ("…地区生产总值都有所增加，全省共增加2702亿元，2023年达到13.09万亿元")


def indicator_windows(q: Question, sentence: str) -> list[str]:
    """The clauses that name the asked indicator — where the sentence writes out its phrase, else where
    its rarest terms are — each with what follows it until a semicolon or full stop closes it (what
    follows is another item). Where the phrase is written out, a following clause counts only when it goes
    on with the same indicator (`_CONTINUES`, up to `MAX_CONTINUATION`): "居民收入增长与经济增长同步，单位
    地区生产总值能耗降低2.5%" gives no figure for 居民收入; placed by terms, the next clause counts anyway.
    [] when the sentence names none of the question's terms (the whole sentence when the question has none)."""
    positions = phrase_positions(q, sentence)
    exact = bool(positions)  # the sentence writes out the indicator: its clause is known
    positions = positions or indicator_positions(q, sentence)
    if not positions:
        return [] if named_terms(q) else [sentence]
    bounds = [0] + [m.end() for m in re.finditer(r"[，,；;。：:]", sentence)] + [len(sentence)]
    windows = []
    for pos in positions:
        k = next((j for j in range(len(bounds) - 1) if bounds[j] < pos <= bounds[j + 1]), None)
        if k is None:
            continue
        end = k + 1
        for step in range(MAX_CONTINUATION):
            if end >= len(bounds) - 1 or sentence[bounds[end] - 1 : bounds[end]] in ("；", ";", "。"):
                break
            if (exact or step > 0) and not _CONTINUES.match(sentence[bounds[end] : bounds[end + 1]]):
                break  # (placed by terms, the next clause counts in any case)
            end += 1
        windows.append(sentence[bounds[k] : bounds[end]])
    return windows or [sentence]


def near_indicator(q: Question, sentence: str) -> str:
    """The indicator's windows (`indicator_windows`) as one text."""
    return "，".join(indicator_windows(q, sentence))


def slot_figures(q: Question, sentence: str) -> list[tuple[Figure, str]]:
    """The figures that may answer a 多少 question, each with its window: in the indicator's windows, in an
    asked unit family; not a share for a growth question, not a figure over several years for one year."""
    out = []
    growth = _GROWTH_ASK.search(q.text) and not _SHARE_WORDS.search(q.text)
    windows = indicator_windows(q, sentence)
    if len(q.years) == 1 and any(_SPAN.search(w) for w in windows) and not _SPAN.search(q.text) and "累计" not in q.text:
        return []  # "近3年…年均增长12.8%": the sentence speaks of several years, not of one
    for window in windows:
        for f in figures(window):
            if not unit_ok(q, f):
                continue
            if growth and _SHARE_WORDS.search(window[max(0, f.start - 8) : f.start]):
                continue  # a share is no growth rate
            out.append((f, window))
    return out


# Resident groups that statistics in government reports are given for (income, pensions,
# insurance): a figure for one group does not answer a question about another.
_GROUP_WORDS = (
    ("rural", re.compile(r"农村居民|农民|农村")),
    ("urban", re.compile(r"城镇居民|城市居民|城镇")),
    ("combined", re.compile(r"城乡居民|全体居民")),
)
GROUP_NAMES = {"rural": "农村居民", "urban": "城镇居民", "combined": "城乡居民（合计）"}


def asked_group(text: str) -> str | None:
    """The resident group a question asks about, if it names one."""
    return next((g for g, pattern in _GROUP_WORDS if pattern.search(text)), None)


def sentence_groups(sentence: str) -> set[str]:
    """Resident groups a sentence gives figures for: "城镇和农村居民…分别" and
    "城乡居民…分别增长5%、6.5%" give both groups; "城乡居民人均可支配收入达39351元" the total."""
    groups = {g for g, pattern in _GROUP_WORDS if pattern.search(sentence)}
    if "combined" in groups and "分别" in sentence and "城乡居民" in sentence:
        groups |= {"rural", "urban"}
    return groups


def names_place(places: list, sentence: str) -> bool:
    """Does the sentence name one of the places (full or short name)?"""
    return any(form in sentence for p in places for form in p.forms)


def agrees(q: Question, hit: Hit, sentence: str) -> tuple[bool, str]:
    """Region/year/kind/resident-group agreement between the question and a passage; reason if not."""
    chunk = hit.chunk
    group = asked_group(q.text)
    if group is not None:
        given = sentence_groups(sentence)
        if given and group not in given:
            return False, "只给出了" + "、".join(GROUP_NAMES[g] for g in sorted(given)) + "的数据"
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
    years = chunk_years(chunk, q)
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
            return False, f"这份报告只涉及{'、'.join(f'{y}年' for y in sorted(covered))}，没有写{'、'.join(f'{y}年' for y in sorted(years))}的情况"
    is_target = bool(TARGET_CUE.search(sentence))
    if q.kind == "actual" and chunk.period_kind == "plan" and is_target:
        return False, "资料只给出了目标，没有实际完成数"
    if q.kind == "target" and chunk.period_kind == "review" and not is_target:
        return False, "资料只给出了实际完成数，没有目标"
    return True, ""
