"""Which table a question asks for: "各省2025年地区生产总值增长目标是多少？", "长三角三省一市2025年经济增长目标
对比", "哪些省份2025年经济增长目标在5.5%及以上？", "湖南和湖北2024年经济增速谁高？", "2024年粮食产量最高的三个
省份".

A question is a table question when it names an indicator of the catalogue (`rag/domain/data/indicators.json`) and
several regions — all provinces ("各省", "31个省份", "哪些省份"), a named group (`rag/domain/data/place_groups.json`,
extendable through RAG_GROUPS), or two or more places — or several years of one ("历年", "2023年和2024年").
Each clause pairs its places with its years: "国务院2024年…？广东2025年的目标又是多少？" asks 全国 for 2024
and 广东 for 2025; a place without a year is asked for the latest its reports state.

Thresholds ("在5.5%及以上", "低于5%", "达到或超过这个水平") and rankings ("前三", "最低的三个", "由高到低") compare
the parsed numbers (`rag.domain.units.to_base`: 万吨 and 亿斤, 亿元 and 万亿元); the answer says how qualifiers
count. The table itself is filled from the indicator records by `rag.answer.table`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cn2an

from ..domain.indicators import DATA, Indicator, catalogue
from ..domain.numbers import CN_COUNT_CHARS, CN_COUNT_OR_DIGIT
from ..domain.periods import (
    FIVE_YEAR_PLANS,
    RELATIVE_RE,
    RELATIVE_YEARS,
    REPORT_YEAR,
    YEAR_TOKEN,
    plan_named,
    recent_count,
    relative_offsets,
    year_range,
    years_in,
)
from ..domain.places import LEVEL_WORDS, Gazetteer
from ..domain.targets import asks_completion
from ..domain.units import figures, to_base
from ..domain.vocabulary import GROWTH_WORDS, NEGATED_ASIDE, PER_UNIT, RANK_ASK, asked_kind
from ..errors import RagError

# All provinces: "各省", "31个省份", "全国各省区市", "哪些省份" (a named group or places narrow it instead).
ALL_PROVINCES = re.compile(
    r"(?:全国)?(?:各省(?:区市|市区|份|市|区)?|各地|3[01]个省(?:区市|份)?|3[01]省(?:区市)?|哪些省(?:份|区市)?|哪个省(?:份)?|哪几个省(?:份)?|省份)"
)
_SEGMENT = re.compile(r"[？?；;。！!，,]")
# The cities of a place ("江苏各市", "山东省各地市", "湖北所辖城市"), or of every report ("各地级市", "哪些城市"):
# read before ALL_PROVINCES, whose "各地" would take "各地市" for all provinces.
_CITIES = re.compile(
    rf"(?:各|所有|全部|所辖|下辖|哪些|哪个|哪几个|这几个|这些|{CN_COUNT_OR_DIGIT}+个)(?:的)?(?:地级市|地市|城市|市州|州市|设区市|市)(?![场民长委政])"
)
# Beyond a question's target/result words (`asked_kind`), a table ask reads a value "set at" as a target and a
# rate or total asked without either as a result ("2024年各省经济增速").
_SET_AT = re.compile(r"定在|定的")
_RESULT_ASK = re.compile(r"增速|增幅|总量")
_GROWTH_ASK = re.compile(GROWTH_WORDS)
_LEVEL_ASK = re.compile(r"总量|规模|多大|产量|总额是多少|多少亿|多少万")
_OP = r"不低于|不少于|不高于|不超过|达到或超过|达到|超过|高于|低于|大于|小于|在"
_THRESHOLD = re.compile(
    rf"(?P<op>{_OP})?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|％|万人|万吨|亿斤|亿元|万亿元)?\s*(?P<tail>及以上|以上|及以下|以下|以内)?"
)
_THAT_LEVEL = re.compile(rf"(?P<op>{_OP})\s*(?:这个|这一|该|此)(?:水平|数|数值|增速|目标)")
_ASKS_WHICH = re.compile(r"哪些|哪个|哪几|有哪|是哪|谁")
# "主要预期目标", "各项目标", "主要经济指标": every indicator a report sets a target for.
_OVERVIEW = re.compile(r"(?:主要|各项)(?:经济社会发展|经济)?(?:预期)?(?:目标|指标)")
OVERVIEW = Indicator("*", "主要预期目标", "", ())
_MISSED = re.compile(r"(?:没有?|未|不)(?:能)?(?:完成|实现|达到|达成)")
_TOP = re.compile(rf"(?:前|最高的|最低的|最快的|最慢的|最多的|最少的|最大的|最小的)\s*({CN_COUNT_OR_DIGIT}+)")
_ORDER = re.compile(
    r"排名|排序|怎么排|由高到低|由低到高|从高到低|从低到高|最高|最低|最快|最慢|最多|最少|最大|最小|前[" + CN_COUNT_CHARS + r"\d]"
)
_LOW_FIRST = re.compile(r"最低|最慢|最少|最小|由低到高|从低到高")
# A change between two years asked across regions ("哪些省份今年的目标比去年下调了", "…比2024年加快了").
_RISE = re.compile(r"上调|调高|提高了|加快|提速|上升|增加了|更高|高于")
_FALL = re.compile(r"下调|调低|调减|降低了|放缓|回落|减慢|下降了|减少了|更低|低于")
_COMPARE = re.compile(r"谁|哪个|对比|比较|不同|相比|更高|更快|更大|更多|差距|高多少|低多少")
# Not a table: a difference or a share is a figure reports state ("高于全国0.7个百分点", "占全国38.7%").
_NOT_TABLE = re.compile(
    r"[高低多少快慢大小]了?多少|高出|低出|相差|差距|差多少|比重|比例|占比|贡献|份额|倍|" + "|".join(RANK_ASK)
)  # a rank ("在浙江排第几") is one place's, said by its report
# A question sentence that goes on with the previous one's indicator: "广东2025年的目标又是多少？", "京津冀呢？".
_GOES_ON = re.compile(r"呢|又|也|分别|各是|各为")
QUALIFIER_NOTE = "比较按报告所写数值：“左右”按该数计，“以上”“不低于”“突破”按下限计，区间按下限计"


_COUNTED = re.compile(rf"(?<=[^\d{CN_COUNT_CHARS}])([\d{CN_COUNT_CHARS}]+)(省|市)")


def place_groups(extra: str | None = None) -> dict[str, tuple[str, ...]]:
    """Named groups of places (built-in, with RAG_GROUPS' added), each also under its Arabic-numeral
    spelling ("西部十二省区市" / "西部12省区市")."""
    return _place_groups(extra if extra is not None else os.environ.get("RAG_GROUPS", ""))


@lru_cache(maxsize=4)
def _place_groups(extra: str) -> dict[str, tuple[str, ...]]:
    data = json.loads((DATA / "place_groups.json").read_text(encoding="utf-8"))["groups"]
    if extra:
        data.update(json.loads(Path(extra).read_text(encoding="utf-8"))["groups"])
    out = {}
    for name, members in data.items():
        for spelling in (name, cn2an.transform(name, "cn2an")):
            out.setdefault(spelling, tuple(members))
            counted = _COUNTED.sub(r"\1个\2", spelling)  # "东北三省" / "东北三个省", "西部12个省区市"
            out.setdefault(counted, tuple(members))
    return out


@dataclass
class Want:
    """One region of the table and the years asked of it (none: the latest its reports state)."""

    region: str
    years: tuple[int, ...] = ()
    relative: int | None = None  # 去年 (-1), 今年 (0): counted from the region's latest report
    recent: int = 0  # 近三年 (3): the last years its reports can state, counted back from its latest report
    offsets: tuple[int, ...] = ()  # "今年…比去年": several relative years, each counted from its latest report


@dataclass
class TableQuery:
    indicator: Indicator
    measure: str  # level | growth
    kind: str  # target | actual | "" (either: the actual figure when there is one)
    wants: list[Want]
    every_year: bool = False  # 历年: every year the reports state
    ask: str = "list"  # list | threshold | ranking | compare
    threshold: tuple[str, float, str] | None = None  # (relation, number in base units, as written)
    top: int | None = None
    low_first: bool = False
    candidates: list[str] = field(default_factory=list)  # the regions a threshold, ranking or comparison is about
    note: str = ""
    completion: bool = False  # "目标完成情况": each region's target and result, judged (`rag.domain.targets`)
    overview: bool = False  # "江苏2025年主要预期目标完成情况": one region over every indicator it set a target for
    period: str = ""  # "“十四五”时期各省…年均增长": the plan's averages (records dated its last year)
    missed: bool | None = None  # "哪些…没有达到目标" (True) / "完成了的省份有哪些" (False): the regions asked
    direction: int = 0  # a change between two years asked: 1 raised ("上调", "加快"), -1 lowered, 0 any change

    @property
    def label(self) -> str:
        return self.indicator.label(self.measure)

    @property
    def regions(self) -> list[str]:
        return list(dict.fromkeys(w.region for w in self.wants))


def indicator_of(text: str) -> tuple[Indicator, str] | None:
    """The catalogue indicator a question names (its longest wording), and the measure it asks."""
    best = None
    for ind in catalogue():
        for w in ind.wordings + ind.growth_wordings:
            i = text.find(w)
            if i >= 0 and (best is None or len(w) > len(best[1])):
                best = (ind, w, i, w in ind.growth_wordings)
    if best is None:
        return None
    ind, w, i, growth = best
    after = text[i + len(w) : i + len(w) + 8]
    if growth or (ind.level != "percent" and _GROWTH_ASK.search(after) and not _LEVEL_ASK.search(after)):
        return ind, "growth"
    return ind, "level"


def _regions(text: str, g: Gazetteer, provinces: list[str]) -> list[str]:
    """The regions a clause names, in order: groups' members, places, or all provinces."""
    named: list[str] = []
    for name in sorted(place_groups(), key=len, reverse=True):
        if name in text:
            named += [r for r in place_groups()[name] if r not in named]
            text = text.replace(name, " " * len(name))
    cities = _CITIES.search(text)
    if cities:
        named += [c for c in _cities_of(text[: cities.start()], g) if c not in named]
        text = text[: cities.start()] + " " * len(text[: cities.end()][cities.start() :]) + text[cities.end() :]
        return named
    every = ALL_PROVINCES.search(text)
    if every:
        text = text[: every.start()] + " " * len(every.group(0)) + text[every.end() :]
    mentions = g.find(text)
    strong = [m for m in mentions if not m.weak]
    for m in strong or mentions:  # a lone 国家 ("国家2024年的…目标") is the country
        if m.place.name not in named:
            named.append(m.place.name)
    if every and len(named) < 2:  # "西部地区哪些省份" / "长江经济带各省市": the group's, not all
        named += [p for p in provinces if p not in named]
    return named


def _cities_of(before: str, g: Gazetteer) -> list[str]:
    """The cities the knowledge base has reports of under the place named in `before` ("江苏" → 徐州市, 常州市,
    …; 县级市 such as 天门市 too), by the place model's hierarchy, in code order; with no place named, every
    city a report is about."""
    parents = [m.place for m in g.find(before) if not m.weak and m.place.level in ("national", "province", "city")]
    cities = sorted(
        (
            p
            for p in g.by_code.values()
            if g.is_covered(p) and (p.level == "city" or (p.level == "county" and p.name.endswith("市")))
        ),
        key=lambda p: p.code,
    )
    if parents:
        return [p.name for p in cities if g.within(p, parents[-1]) and p.key != parents[-1].key]
    return [p.name for p in cities]


def _threshold(text: str, unit_hint: str) -> tuple[str, float, str] | None:
    that = _THAT_LEVEL.search(text)
    if that:  # "达到或超过这个水平": the figure named before it
        before = [f for f in figures(text[: that.start()]) if f.number is not None]
        if before:
            f = before[-1]
            return _relation(that.group("op"), ""), to_base(f.number, f.unit) or f.number, f"{that.group('op')}{f.text}"
    for m in _THRESHOLD.finditer(re.sub(YEAR_TOKEN, lambda y: " " * len(y.group(0)), text)):
        op, tail = m.group("op") or "", m.group("tail") or ""
        if not (op and op != "在") and not tail:
            continue
        unit = m.group("unit") or unit_hint
        return _relation(op, tail), to_base(float(m.group("num")), unit) or float(m.group("num")), m.group(0).strip()
    return None


def _relation(op: str, tail: str) -> str:
    if tail in ("及以上", "以上") or op in ("不低于", "不少于", "达到或超过", "达到"):
        return ">="
    if op in ("超过", "高于", "大于"):
        return ">"
    if tail == "及以下" or op in ("不高于", "不超过"):
        return "<="
    return "<"  # 以下, 低于, 小于, 以内


def _count(word: str) -> int | None:
    try:
        return int(word) if word.isdigit() else int(cn2an.cn2an(word, "smart"))
    except ValueError:
        return None


def table_query(text: str, g: Gazetteer, provinces: list[str]) -> TableQuery | None:
    """The table a question asks for, or None when it is an ordinary question."""
    text = NEGATED_ASIDE.sub("", text)
    if _NOT_TABLE.search(text):
        return None
    text = REPORT_YEAR.sub(lambda m: " " * len(m.group(0)), text)
    overview = _overview(text, g, provinces)
    if overview is not None:
        return overview
    found = indicator_of(text)
    if found is None:
        return None
    ind, measure = found
    if any(m + w in text for m in PER_UNIT for w in ind.wordings if not w.startswith(m) and not ind.name.startswith(m)):
        return None  # "各省人均地区生产总值": a ratio the catalogue's indicator is not (answered as an ordinary question)
    for sentence in (m.group(0) for m in re.finditer(r"[^？?]+[？?]?", text) if m.group(0).strip()):
        other = indicator_of(sentence)
        if other is None and sentence[-1] not in "？?" and not years_in(sentence) and not g.find(sentence):
            continue  # "请逐一列出。": an instruction after the question, not a second question
        if (other is None and not _GOES_ON.search(sentence)) or (other is not None and other[0] != ind):
            return None  # "…地区生产总值是多少？2023年计划新建多少5G基站？": two questions, not one table
    segments = [s for s in _SEGMENT.split(text) if s.strip()]
    parsed = [(s, _regions(s, g, provinces), year_range(s) or years_in(s)) for s in segments]
    recent = recent_count(text)
    wants: list[Want] = []
    asked: list[str] = []
    for i, (seg, regions, years) in enumerate(parsed):
        if not regions:
            continue
        if not years:  # "31个省份里，2025年…": a clause of years alone nearby gives them
            near = [p for p in parsed[i + 1 :] + parsed[:i][::-1] if p[2] and not p[1]]
            years = near[0][2] if near else []
        offset = _relative(seg, years)
        offsets = tuple(relative_offsets(seg)) if not years else ()
        for r in regions:
            recent_here = recent if not years and offset is None else 0
            wants.append(Want(r, tuple(years), offset, recent_here, offsets if len(offsets) == 2 else ()))
        if _ASKS_WHICH.search(seg) or _ORDER.search(seg) or _COMPARE.search(seg):
            asked += regions
    every_year = "历年" in text or "历年来" in text
    all_years = year_range(text) or years_in(text)
    spans = every_year or any(w.recent for w in wants)
    if not wants or (len({w.region for w in wants}) < 2 and len(all_years) < 2 and not spans):
        return None
    kind = asked_kind(text) or ("target" if _SET_AT.search(text) else "actual" if _RESULT_ASK.search(text) else "")
    q = TableQuery(ind, measure, kind, wants, every_year=every_year)
    q.candidates = list(dict.fromkeys(asked)) or q.regions
    plan = plan_named(text, None)
    if plan and "年均" in text:  # a five-year plan's averages, dated its last year
        q.period, q.every_year = plan, False
        q.wants = [Want(w.region, (FIVE_YEAR_PLANS[plan][1],)) for w in q.wants]
    unit_hint = "%" if measure == "growth" or ind.level == "percent" else ""
    if asks_completion(text) or "完成情况" in text:
        q.completion, q.kind = True, "target"
        if _ASKS_WHICH.search(text):
            q.missed = bool(_MISSED.search(text))
        q.threshold = _threshold(text, unit_hint)  # "把目标定在6%及以上的省份": only the regions whose target passes
        return q
    two_years = len(all_years) == 2 or any(w.offsets for w in q.wants)
    if two_years and len(q.regions) >= 2:
        unworded = re.sub("|".join(map(re.escape, ind.wordings + ind.growth_wordings + (ind.name,))), " ", text)
        rise, fall = _RISE.search(unworded), _FALL.search(unworded)
        if rise or fall or _COMPARE.search(text):
            q.ask, q.direction, q.note = "change", (1 if rise else 0) - (1 if fall else 0), QUALIFIER_NOTE
            return q
    q.threshold = _threshold(text, unit_hint)
    top = _TOP.search(text)
    if q.threshold and _ASKS_WHICH.search(text):
        q.ask = "threshold"
    elif top or _ORDER.search(text):
        q.ask = "ranking"
        q.top = _count(top.group(1)) if top else None
        q.low_first = bool(_LOW_FIRST.search(text))
    elif len(q.regions) == 2:
        q.ask = "compare"  # two rows: which is higher, or that they are the same
    if q.ask != "list":
        q.note = QUALIFIER_NOTE
    return q


def _overview(text: str, g: Gazetteer, provinces: list[str]) -> TableQuery | None:
    """ "江苏2025年主要预期目标完成情况": one region's targets of a year, each beside its result."""
    if not _OVERVIEW.search(text) or not (asks_completion(text) or "完成情况" in text):
        return None
    regions = _regions(text, g, provinces)
    if len(regions) != 1:
        return None
    years = years_in(text)
    want = Want(regions[0], tuple(years[:1]), _relative(text, years))
    return TableQuery(OVERVIEW, "level", "target", [want], completion=True, overview=True)


def _relative(text: str, years: list[int]) -> int | None:
    """The offset of the first relative year of a clause that names no year ("去年" → -1), else None."""
    relative = RELATIVE_RE.search(text)
    return RELATIVE_YEARS[relative.group(0)] if relative and not years else None


def select_records(
    records: list,
    g: Gazetteer,
    provinces: list[str],
    regions: list[str],
    years: list[int],
    indicator: str,
    kind: str,
    level: str = "",
) -> list:
    """The records `rag indicators` exports: of the regions (names, short names or groups: "广西", "长三角",
    "各省"), years, indicator (its id, its name — all its measures — or any wording: "经济增速"), kind and level
    (国家/省级/市级/县级, or 省/市/县)."""
    if level and level not in LEVEL_WORDS:
        raise RagError(f"--level 只能是 国家、省级、市级 或 县级（也可写 省、市、县），收到“{level}”。")
    wanted_regions = {r for text in regions for r in _regions(text, g, provinces)}
    if regions and not wanted_regions:
        raise RagError(
            f"没有识别出地区“{'、'.join(regions)}”：请写地区全称或简称（如 广西壮族自治区、广西），或地区组（如 长三角）。"
        )
    measure = None
    ids = None
    if indicator:
        exact = [i for i in catalogue() if indicator in (i.id, i.name)]
        found = indicator_of(indicator)
        if exact:
            ids = {exact[0].id}
        elif found:
            ids, measure = {found[0].id}, found[1]
        else:
            names = "、".join(i.name for i in catalogue())
            raise RagError(f"没有这个指标：“{indicator}”。可用的指标有：{names}（可在 RAG_INDICATORS 文件中添加）。")
    kinds = {"target": "target", "目标": "target", "actual": "actual", "实际": "actual", "": ""}
    if kind not in kinds:
        raise RagError(f"--kind 只能是 target（目标）或 actual（实际），收到“{kind}”。")
    k = kinds[kind]
    return [
        r
        for r in records
        if (not wanted_regions or r.region in wanted_regions)
        and (not years or r.year in years)
        and (ids is None or r.indicator in ids)
        and (measure is None or r.measure == measure)
        and (not k or r.kind == k)
        and (not level or r.level == LEVEL_WORDS[level])
    ]
