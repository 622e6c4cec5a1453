"""Where the asked indicator sits in a sentence, and which figures belong to it.

- terms: which of the question's terms a sentence contains (`found`, `coverage`, `term_weight`);
- placement: the clause that writes out the indicator phrase, else where its weightiest terms are
  (`indicator_windows`), and the clauses that go on with it;
- figures: those in the indicator's windows in an asked unit family (`slot_figures`), not a share for a
  growth question, not a figure over several years for one year;
- whether the sentence is about the asked indicator at all (`phrase_unwritten`, `other_indicator`).
Vocabulary here is general to Chinese government reports, not to any one document.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from ..domain.figures import RATIO_MARKERS, change_before, clause_spans, level_reached, own_clause, ratios_named
from ..domain.indicators import Indicator, catalogue, pairs
from ..domain.periods import YEAR_SPAN, own_years, years_in
from ..domain.tokenize import tokenize, word_cuts, words
from ..domain.units import Figure
from ..domain.units import figures as find_figures
from ..domain.vocabulary import CHANGE_WORDS, GROWTH_WORDS, PER_UNIT, SHARED_HEADS
from ..question.model import Question


def figures(text: str) -> list[Figure]:
    """Figures in a text, years excluded ("2022年" is a date, not an amount)."""
    return find_figures(text)


def bigrams(text: str) -> set[str]:
    text = re.sub(r"[\W\d_]+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def found(term: str, text: str, q: Question) -> bool:
    """Is the term in the text — as written, as one of its report wordings, or as part of a known paraphrase
    whose report wording is there ("老百姓" of 老百姓收入 when the text says 居民人均可支配收入)?"""
    if term in text or any(form in text for form in q.aliases.get(term, ())):
        return True
    return any(term in key and key != term and any(form in text for form in forms) for key, forms in q.aliases.items())


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
_GROWTH_ASK = re.compile(GROWTH_WORDS)
_SHARE_WORDS = re.compile(r"比重|占比|占[^，,；;。]{0,10}$|份额")


def indicator_head(phrase: str) -> str:
    """The head noun of an indicator phrase: its last sub-word ("粮食产量" → 产量, "地区生产总值" → 总值)."""
    subs = [t for t in tokenize(phrase) if len(t) >= 2 and t != phrase and phrase.endswith(t)]
    return min(subs, key=len) if subs else phrase


def phrase_unwritten(q: Question, sentence: str) -> bool:
    """Does the sentence write almost nothing of the question's indicator phrase? Fewer than a third of
    its characters ("货物进出口总额" against "国内生产总值超过126万亿元": 总 only). Paraphrases share
    some ("奖励补贴" ↔ 奖补资金, "案件发生比率" ↔ 发案率) and pass; a report wording of a known paraphrase
    counts as the whole phrase (坏账 → 不良贷款)."""
    if q.asked != "number" or not q.phrases:
        return False
    phrase = q.phrases[0]
    lowered = phrase.lower()
    if any(form in sentence for t, forms in q.aliases.items() if t in lowered for form in forms):
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
    if not modifiers or not found(head, sentence, q) or any(form in sentence for form in phrase_forms(q)[1:]):
        return False
    # a longer modifier may be reworded ("农村居民" ↔ 城乡居民: half its characters, written just before a head
    # occurrence — not scattered over the sentence: "外资…生产总值…对外投资" is no 固定资产投资); a two-character one not
    befores = [sentence[max(0, m.start() - REWORDED_SPAN) : m.start()] for m in re.finditer(re.escape(head), sentence)]

    def reworded(w: str) -> bool:
        return len(w) > 2 and any(sum(ch in b for ch in w) * 2 >= len(w) for b in befores)

    return not any(found(w, sentence, q) or reworded(w) for w in modifiers)


REWORDED_SPAN = 8  # characters before a head in which a reworded modifier is looked for


def phrase_positions(q: Question, sentence: str, forms: list[str] | None = None) -> list[int]:
    """Where the question's indicator phrase ends in the sentence, each time the sentence writes it out
    ("居民收入增长与经济增长同步" for "居民收入增长的目标"; a report wording of a paraphrase counts:
    外贸 → 进出口, every form's occurrences). Only the most important phrase (`Question.phrases[0]`) places windows: when the
    sentence does not write it out, the question's terms do (`indicator_positions`)."""
    if not q.phrases:
        return []
    phrase = q.phrases[0]
    cuts = None
    found: set[int] = set()
    for form in forms or (phrase, *q.aliases.get(phrase, ())):  # every form: "与经济增长同步" does not hide "地区生产总值增长5%"
        ends, i = [], sentence.find(form)
        while i >= 0 and len(ends) < MAX_OCCURRENCES:
            if _per_unit(q, form, sentence, i):
                i = sentence.find(form, i + len(form))
                continue
            if len(form) <= 2:  # short forms only on word boundaries ("外资" is not in "省外资金")
                cuts = word_cuts(sentence) if cuts is None else cuts
                i = _first_within_words(sentence, form, i, cuts)
                if i < 0:
                    break
            ends.append(i + len(form))
            i = sentence.find(form, i + len(form))
        found.update(ends)
    return sorted(found)


def phrase_forms(q: Question) -> list[str]:
    """The ways a report may write the question's indicator phrase: as asked, its known paraphrases, the phrase
    with a known term in its report wording ("人均GDP" → 人均地区生产总值, 人均生产总值), and without a trailing
    size word ("地区生产总值总量" → 地区生产总值). Asked of every candidate sentence: read once per phrase."""
    aliases = tuple((t, tuple(forms)) for t, forms in q.aliases.items())
    return list(_forms(q.phrases[0], aliases, os.environ.get("RAG_INDICATORS", "")))


@lru_cache(maxsize=1024)
def _forms(phrase: str, aliases: tuple[tuple[str, tuple[str, ...]], ...], extra: str) -> tuple[str, ...]:
    """`phrase_forms` of a phrase and the question's paraphrases, with the catalogue (`extra`: RAG_INDICATORS)."""
    known = dict(aliases)
    forms = [phrase, *known.get(phrase, ())]
    lowered = phrase.lower()
    for term, wordings in aliases:
        i = lowered.find(term)
        if term != lowered and i >= 0:
            forms += [phrase[:i] + w + phrase[i + len(term) :] for w in wordings]
    for form in list(forms):
        for size in _SIZE_WORDS:
            if form.endswith(size) and len(form) - len(size) >= 3:
                forms.append(form[: -len(size)])
    for ind in catalogue(extra):  # a catalogue indicator's wordings are one another's forms ("地区生产总值" ↔ 经济总量)
        if any(f in ind.wordings for f in forms):
            forms += ind.wordings
    return tuple(dict.fromkeys(forms))


_SIZE_WORDS = ("总量", "规模")  # "经济总量" asks the level its head already names


def _per_unit(q: Question, form: str, sentence: str, i: int) -> bool:
    """Is the occurrence of `form` at `i` a ratio the question does not ask ("人均地区生产总值" for 地区生产总值)?"""
    return any(sentence.endswith(m, 0, i) and m not in q.text for m in PER_UNIT) and not form.startswith(PER_UNIT)


def only_per_unit(q: Question, sentence: str) -> bool:
    """The sentence writes the asked indicator only as a ratio the question does not ask: no total in it."""
    if not q.phrases or not any(m in sentence for m in PER_UNIT):
        return False
    forms = phrase_forms(q)
    spots = [(f, m.start()) for f in forms for m in re.finditer(re.escape(f), sentence)]
    return bool(spots) and all(_per_unit(q, f, sentence, i) for f, i in spots)


_NEW_ASK = re.compile(r"新增|净增|增量|变化")  # a question that asks a change without a growth word


def _other_year(q: Question, before: str) -> bool:
    """Does the figure's own clause name a year, none of them the one asked ("比2020年…", a base, aside)?"""
    if len(q.years) != 1:
        return False
    named = own_years(own_clause(before))
    return bool(named) and q.years[0] not in named


def _ratio_unasked(q: Question, before: str) -> bool:
    """Does the figure's own clause (up to it) name a ratio the question does not ask — in its words or in
    the report wordings of its paraphrases (老百姓收入 → 居民人均可支配收入 asks a 人均 figure)?"""
    asked = q.text + "".join(f for forms in q.aliases.values() for f in forms)
    return any(m not in asked for m in ratios_named(before))


def per_unit_unwritten(q: Question, sentence: str) -> bool:
    """A ratio asked ("人均GDP", "单位生产总值能耗") that the sentence does not write in any form: its marker
    alone ("居民人均可支配收入") is another ratio's."""
    marker = next((m for m in RATIO_MARKERS if q.phrases and m in q.phrases[0]), "")
    if not marker:
        return False
    rest = q.phrases[0][q.phrases[0].find(marker) + len(marker) :].lower()
    named = rest in q.aliases or any(rest in ind.wordings for ind in catalogue())
    forms = [f[f.find(marker) :] for f in phrase_forms(q) if marker in f]  # from the marker on ("末各省人均…")
    return named and not any(form in sentence for form in forms)


def catalogue_unwritten(q: Question, sentence: str) -> bool:
    """The question names a catalogue indicator ("城镇新增就业") that the sentence writes in none of the ways
    reports write it: its figures belong to something else ("11.2万个高校毕业生就业岗位")."""
    if not q.phrases:
        return False
    forms = {q.phrases[0], *q.aliases.get(q.phrases[0], ())}
    for ind in catalogue():
        if forms & set(ind.wordings):
            topic = any(t in sentence for t in ind.topics)
            said = _said(ind, os.environ.get("RAG_INDICATORS", ""))
            return not any(w in sentence for w in said) and not (topic and any(w in sentence for w in ind.continued))
    return False


@lru_cache(maxsize=64)
def _said(ind: Indicator, extra: str) -> tuple[str, ...]:
    """How a sentence may write a catalogue indicator: its wordings, a pair wording that names it with another
    ("城乡居民人均可支配收入分别…"), or a wording's modifiers without its head ("研发投入" of 研发投入强度:
    "研发投入占比提高到2.6%")."""
    stems = [w[: -len(head)] for w in ind.wordings if (head := indicator_head(w)) != w and len(w) - len(head) >= 2]
    paired = [w for w, members in pairs(extra) if ind.id in members]
    return (*ind.wordings, *ind.growth_wordings, *paired, *stems)


def indicator_windows(q: Question, sentence: str) -> list[str]:
    """The clauses that name the asked indicator — where the sentence writes out its phrase, else where
    its rarest terms are — each with what follows it until a semicolon or full stop closes it (what
    follows is another item). Where the phrase is written out, a following clause counts only when it goes
    on with the same indicator (`_CONTINUES`, up to `MAX_CONTINUATION`): "居民收入增长与经济增长同步，单位
    地区生产总值能耗降低2.5%" gives no figure for 居民收入; placed by terms, the next clause counts anyway.
    [] when the sentence names none of the question's terms (the whole sentence when the question has none)."""
    positions = phrase_positions(q, sentence)
    exact = bool(positions)  # the sentence writes out the indicator: its clause is known
    if not positions:  # placed by terms, and by the other wordings of the indicator asked ("经济总量" for GDP总量)
        own = {q.phrases[0], *q.aliases.get(q.phrases[0], ())} if q.phrases else set()
        derived = [f for f in phrase_forms(q) if f not in own] if q.phrases else []
        positions = sorted(set(indicator_positions(q, sentence)) | set(phrase_positions(q, sentence, derived) if derived else ()))
    if not positions:
        return [] if named_terms(q) else [sentence]
    windows = [sentence[a:b] for a, b in dict.fromkeys(clause_spans(sentence, positions, exact))]
    return windows or [sentence]


def near_indicator(q: Question, sentence: str) -> str:
    """The indicator's windows (`indicator_windows`) as one text."""
    return "，".join(indicator_windows(q, sentence))


_OVER_YEARS = re.compile(rf"{YEAR_SPAN.pattern}|每年")  # "每年城镇新增就业40万人以上": each year of a period


def _speaks_of_years(q: Question, sentence: str, windows: list[str]) -> bool:
    """Does the sentence give the indicator's figure over several years: a span word in its windows, or one
    that opens the sentence before them ("…等年均增速高于全国，粮食总产稳定在1100亿斤以上") when it names
    not the asked year?"""
    if any(_OVER_YEARS.search(w) for w in windows):
        return True
    first = min((i for w in windows if (i := sentence.find(w)) >= 0), default=-1)
    return first > 0 and bool(_OVER_YEARS.search(sentence[:first])) and not set(q.years) & set(years_in(sentence))


def slot_figures(q: Question, sentence: str) -> list[tuple[Figure, str]]:
    """The figures that may answer a 多少 question, each with its window: in the indicator's windows, in an
    asked unit family; not a share for a growth question, not a figure over several years for one year."""
    out = []
    if only_per_unit(q, sentence) or per_unit_unwritten(q, sentence) or catalogue_unwritten(q, sentence):
        return []  # "人均地区生产总值达10万元" gives no 地区生产总值, "居民人均可支配收入" no 人均GDP
    growth = _GROWTH_ASK.search(q.text) and not _SHARE_WORDS.search(q.text)
    level = not _GROWTH_ASK.search(q.text) and not _NEW_ASK.search(q.text)
    windows = indicator_windows(q, sentence)
    over_years = (
        len(q.years) == 1 and not YEAR_SPAN.search(q.text) and "累计" not in q.text and _speaks_of_years(q, sentence, windows)
    )
    # (over several years, only a level reached is one year's figure: "五年…达14.2万亿元" is the last year's level)
    for window in windows:
        for f in figures(window):
            if not unit_ok(q, f):
                continue
            if growth and _SHARE_WORDS.search(window[max(0, f.start - 8) : f.start]):
                continue  # a share is no growth rate
            if level and f.family != "percent" and change_before(window[: f.start]):
                continue  # "全省共增加2702亿元": a change, not the level asked
            if _other_year(q, window[: f.start]):
                continue  # "2023年达到13.09万亿元" for 2024's
            if _ratio_unasked(q, window[: f.start]):
                continue  # "地区生产总值…，人均生产总值提升至7.6万元": the ratio's figure, not the total's
            if over_years and not level_reached(f, window):
                continue  # "近3年…年均增长12.8%", "五年新增就业522万人": the sentence speaks of several years
            out.append((f, window))
    return out
