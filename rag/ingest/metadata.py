"""Step 2: read document metadata from the document's own text.

General rules for Chinese government documents, no per-file tables:
- title block (the lines before "各位代表"): title, delivery date ("——2025年1月15日"), the meeting
  ("上海市第十六届人民代表大会第三次会议", "第十四届全国人民代表大会第二次会议") and the speaker with
  their office ("国务院总理 李强", "省长 王予波", "龚正市长"; `rag.ingest.titleblock`);
- region, as a place of `rag.domain.places` (name, code, level): the place whose congress the report is
  delivered to ("在广西壮族自治区第十四届人民代表大会…" → 广西壮族自治区; "全国人民代表大会" / "我代表
  国务院" → 全国), else the office of the speaker ("张店区人民政府区长"), else the title ("2025年广西政府
  工作报告"), else the place the text names most at the level it speaks for ("我代表市人民政府", "全区");
  a name the data does not hold (a 新区, a test county) is kept as written;
- year: the delivery date; otherwise, for a work report, the year after the reviewed year; otherwise the
  most frequent year mentioned;
- reviewed / planned years: from headings ("2022年政府工作回顾", "2023年目标任务", "今年经济社会发展
  目标任务", "“十三五”时期工作回顾");
- document type: news carries a dateline ("1月7日讯") or a reporter line; a work report is titled so or
  addresses the congress ("向大会报告工作"); party-congress material names the 党代会 in its title.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePath

from ..domain.numbers import CN_COUNT
from ..domain.periods import FIVE_YEAR_PLANS, YEAR_DIGITS, YEAR_WORD
from ..domain.places import NATIONAL, Gazetteer, Place, gazetteer, level_by_suffix, short_name
from ..domain.reports import CONGRESS, OFFICES
from ..types import DocMeta
from .titleblock import TitleBlock, header_lines, read_title_block

# Fallback for a name the place data does not hold: "在甲山区第十八届…", "甲山区人民政府区长".
_HEADER_REGION = tuple(
    re.compile(p)
    for p in (
        rf"在\s*([\u4e00-\u9fff]{{2,6}}?[省市区县])\s*第{CN_COUNT}+届",
        r"([\u4e00-\u9fff]{2,6}?[省市区县])人民政府(?:[副代理]*(?:省长|市长|区长|县长))",
        rf"([\u4e00-\u9fff]{{2,6}}?[省市区县])第{CN_COUNT}+届人民代表大会",
    )
)
_OFFICE = re.compile(rf"人民政府|(?:代理|代)?(?:{OFFICES})")
_SELF_LEVEL = re.compile(r"代表(国务院|自治区|省|市|区|县|州|盟|旗)(?:人民政府|行政公署)|代表(国务院)")
_SELF_LEVELS = {"国务院": "national", "自治区": "province", "省": "province", "市": "city", "州": "city", "盟": "city"}
# How a report names its own place without naming it: "我市", "全州", "我盟".
_SELF_REF = re.compile(r"我(自治区|省|市|州|盟|区|县|旗)")  # not 全省: "居全省第一" ranks, it does not speak for
MIN_SELF_EVIDENCE = 3  # mentions of a place (or of places inside it) before it is taken for the report's own
_NEWS = (re.compile(r"\d{1,2}月\d{1,2}日讯"), re.compile(r"记者\s*[\u4e00-\u9fff]{2,4}"))
# "向大会报告工作", "我代表行署作工作报告" (a 盟's 行政公署 to its 人大工委)
_ADDRESSES_CONGRESS = re.compile(r"向大会(?:作|报告)|代表[^，。]{0,12}?作(?:政府)?工作报告")
_LAST_YEAR = re.compile(r"过去一年|去年|上一年")
# The year a report's opening reviews: "2023年，在…领导下", "2023年是…开局之年", "刚刚过去的2023年"
_OPENING_YEAR = re.compile(
    rf"^(?:[一二三四五六七八九十]+、)?(?:刚刚)?(?:过去的)?({YEAR_DIGITS})\s*年(?:，|是|工作回顾|主要工作|，是)"
)
_REVIEW_HEADING = re.compile(rf"({YEAR_DIGITS})年.{{0,8}}?回顾")
_PLAN_HEADING = re.compile(rf"({YEAR_DIGITS}|今年|明年).{{0,14}}?(?:目标|任务|工作安排|工作重点|总体要求)")
_FIVE_YEAR_REVIEW = re.compile(r"“?(十[一二三四五]五)”?.{0,6}?回顾")
OPENING_ZONE = 1500  # characters searched for the address that opens a report, and after it
_AFTER_ADDRESS = re.compile(r"(?:提出意见|审议)[^。]{0,12}。")
COUNT_ZONE = 6000  # characters scanned to count place mentions


def _reviews_and_plans(text: str) -> bool:
    """The shape of a work report without its first lines: a heading reviewing a year or a five-year
    period ("2023年工作回顾", "一、过去一年工作回顾") and one setting a year's targets or work."""
    heads = _headings(text)
    review = _opening_year(text) is not None or any(
        _REVIEW_HEADING.search(h) or _FIVE_YEAR_REVIEW.search(h) or ("回顾" in h and _LAST_YEAR.search(h)) for h in heads
    )
    return review and any("回顾" not in h and _PLAN_HEADING.search(h) for h in heads)


def detect_doc_type(text: str, block: TitleBlock | None = None) -> str:
    block = block or read_title_block(text)
    head = "\n".join(ln for ln in header_lines(text) if len(ln) <= 60)  # a text run into one line has no header
    if "政府工作报告" in block.title:
        return "政府工作报告"
    if "党代会" in head or "党代表大会" in head:
        return "党代会材料"
    if _ADDRESSES_CONGRESS.search(text[:3000]):
        return "政府工作报告"
    if any(p.search(text[:3000]) for p in _NEWS):
        return "新闻报道"
    if _reviews_and_plans(text):
        return "政府工作报告"
    return "其他材料"


def _last_place(g: Gazetteer, text: str) -> Place | None:
    """The most specific place a phrase names ("淄博市张店区" → 张店区; the last one)."""
    mentions = [m for m in g.find(text) if not m.weak]
    return mentions[-1].place if mentions else None


def _congress_place(g: Gazetteer, head: str) -> Place | None:
    """The place whose people's congress hears the report."""
    for m in CONGRESS.finditer(head):
        if m.group(1):
            return NATIONAL
        before = head[max(0, m.start() - 24) : m.start()]
        before = before.split("在")[-1] if "在" in before else before
        place = _last_place(g, before)
        if place is not None:
            return place
    return None


_SPEAKS_FOR = re.compile(r"我代表([\u4e00-\u9fff]{2,16}?)(?:人民政府|行政公署)")


def _named_self(g: Gazetteer, text: str) -> Place | None:
    """The place a report names when it speaks for its government ("我代表威海市人民政府")."""
    m = _SPEAKS_FOR.search(text[:5000])
    return _last_place(g, m.group(1)) if m else None


def _office_place(g: Gazetteer, head: str) -> Place | None:
    """The place of the speaker's office ("张店区人民政府区长", "广东省省长")."""
    for m in _OFFICE.finditer(head):
        place = _last_place(g, head[max(0, m.start() - 16) : m.start()])
        if place is not None:
            return place
    return None


def _self_word(text: str) -> str:
    """The kind of place a report speaks for, as it says it: "我代表市人民政府" → 市, else the commonest
    of "我州" / "全市" / …; "" when it does not say."""
    m = _SELF_LEVEL.search(text[:5000])
    if m:
        return m.group(1) or m.group(2)
    refs = Counter(_SELF_REF.findall(text))
    return refs.most_common(1)[0][0] if refs else ""


def _self_level(text: str) -> str:
    """The level a report speaks for ("我代表市人民政府" → city), "" when it does not say."""
    word = _self_word(text)
    return _SELF_LEVELS.get(word, "county") if word else ""


def _speaks_for(place: Place, word: str) -> bool:
    """Can a report that says "我<word>" be about `place`? (市: 地级市, 直辖市, 县级市; 区: not 自治区.)"""
    if word == "国务院":
        return place.level == "national"
    if not place.name.endswith(word) or place.level == "national":
        return False
    return not (word == "区" and place.level == "province")


def _self_place(g: Gazetteer, text: str) -> Place | None:
    """The place a report without a title block is about, from how it names places: each place of the
    kind it speaks for ("我市": places named …市) scores the times it is named (full or short name) plus
    the times places inside it are named (a city report lists its districts and counties). A short name
    alone counts only for a place inside a province the text names at least twice ("合作" is also a
    word): the province a city report names is its own. None when nothing reaches MIN_SELF_EVIDENCE."""
    word = _self_word(text)
    if not word:
        return None
    named = g.count_forms(text)
    inside: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    for m in g.find(text):
        if m.weak or len(m.places) > 1:
            continue
        for a in g.ancestors(m.place):
            inside[a.key] += 1
        for p in (m.place, *g.ancestors(m.place)):
            if p.level == "province":
                provinces[p.key] += 1
    own = [g.by_code[k] for k, n in provinces.items() if n >= 2 and k in g.by_code]
    scores: Counter[str] = Counter()
    for key, n in named.items():
        place = g.by_code.get(key)
        if place is None or not _speaks_for(place, word):
            continue
        anchored = inside[key] or place.name in text or any(g.within(place, p) for p in own)
        if anchored:
            scores[key] = n + inside[key]
    if not scores:
        return None
    key, n = scores.most_common(1)[0]
    return g.by_code[key] if n >= MIN_SELF_EVIDENCE else None


def _most_named(g: Gazetteer, text: str, level: str) -> Place | None:
    """The place the text names most, at the level it speaks for. A full name the text uses
    ("张店区") makes its short form ("张店") count too."""
    zone = text[:COUNT_ZONE]
    full = {m.place.key for m in g.find(zone) if not m.weak and len(m.places) == 1}
    g = g.extended(covered=full | g.covered)
    counts: Counter[str] = Counter()
    places: dict[str, Place] = {}
    for m in g.find(zone):
        if m.weak or len(m.places) > 1:
            continue
        places[m.place.key] = m.place
        counts[m.place.key] += 1
    ranked = [places[k] for k, _ in counts.most_common()]
    same_level = [p for p in ranked if p.level == level]
    return (same_level or ranked or [None])[0]


def detect_place(text: str, g: Gazetteer | None = None, block: TitleBlock | None = None) -> Place | None:
    """The place a document is about (see the module notes), None if it names none."""
    g = g or gazetteer()
    block = block or read_title_block(text)
    head = "\n".join(header_lines(text))
    if "代表国务院" in text[:3000]:
        return NATIONAL
    titled = _last_place(g, block.title) if "政府工作报告" in block.title else None
    for found in (_congress_place(g, head), _office_place(g, head), titled, _named_self(g, text)):
        if found is not None:
            return found
    for pattern in _HEADER_REGION:  # a name the place data does not hold
        for m in pattern.finditer(text[:3000]):
            name = m.group(1)
            if not name.startswith(("我", "代表", "本")):
                return Place(name, level=level_by_suffix(name), short=short_name(name))
    return _self_place(g, text) or _most_named(g, text, _self_level(text))


def _headings(text: str) -> list[str]:
    return [ln.strip().lstrip("#").strip() for ln in text.splitlines() if 0 < len(ln.strip()) <= 40]


def _opening_year(text: str) -> int | None:
    """The year the opening of a report reviews ("2023年，在省委…", "一、2023年工作回顾"): the first
    paragraph after the address ("…提出意见。"), also when a text runs into one line; None if it names none."""
    m = _AFTER_ADDRESS.search(text[:OPENING_ZONE])
    rest = text[m.end() : m.end() + OPENING_ZONE] if m else text[:OPENING_ZONE]
    for ln in [ln.strip() for ln in rest.splitlines() if ln.strip()][:3]:
        found = _OPENING_YEAR.match(ln)
        if found:
            return int(found.group(1))
    return None


def detect_years(text: str, doc_type: str, delivered: int | None = None) -> tuple[int | None, tuple[int, ...], tuple[int, ...]]:
    """Return (delivered year, reviewed years, planned years)."""
    review: set[int] = set()
    plan_tokens: list[str] = []
    for h in _headings(text):
        for y in _REVIEW_HEADING.findall(h):
            review.add(int(y))
        if "回顾" in h and _LAST_YEAR.search(h) and delivered:
            review.add(delivered - 1)  # "一、过去一年工作回顾"
        for name in _FIVE_YEAR_REVIEW.findall(h):
            start, end = FIVE_YEAR_PLANS[name]
            review.update(range(start, end + 1))
        if "回顾" not in h:
            plan_tokens.extend(_PLAN_HEADING.findall(h))
    if delivered is None and doc_type == "政府工作报告":
        opening = _opening_year(text)
        if review or opening:
            delivered = max(review or {opening}) + 1
    if delivered is None:
        years = Counter(int(m.group(1)) for m in YEAR_WORD.finditer(text))
        if years:
            delivered = years.most_common(1)[0][0]
    plan: set[int] = set()
    for tok in plan_tokens:
        if tok == "今年" and delivered:
            plan.add(delivered)
        elif tok == "明年" and delivered:
            plan.add(delivered + 1)
        elif tok.isdigit():
            plan.add(int(tok))
    return delivered, tuple(sorted(review)), tuple(sorted(plan))


def detect_title(block: TitleBlock, region: str, doc_type: str, year: int | None) -> str:
    """The document's own title when its first line is one; else "<region><type>（<year>年）"."""
    first = block.title
    generic = not first or first == doc_type or len(first) > 40 or first.endswith(("：", ":", "。"))
    # a block that lost its title starts with the meeting or the speaker's line ("市长 马军", "…会议上 …市长 朱浩东")
    generic = generic or "人民代表大会" in first or bool(block.speaker and block.speaker in first)
    if not generic:
        return first
    name = "国务院" if region == NATIONAL.name else region
    return f"{name}{doc_type}" + (f"（{year}年）" if year else "")


def file_name_place(name: str, g: Gazetteer | None = None) -> Place | None:
    """The place a file name names ("黄山.docx" → 黄山市, "2025年广西政府工作报告.docx" → 广西壮族自治区), None if
    none. A hint to check the text against, never the document's region."""
    g = g or gazetteer()
    stem = PurePath(name).stem
    place = g.resolve(stem)
    if place is not None:
        return place
    mentions = [m for m in g.find(stem) if not m.weak]
    return mentions[-1].place if mentions else None


def name_disagrees(name: str, region: str) -> Place | None:
    """The place a file name names when it is not the region the text gives ("黄山.docx" holding 黄山区's
    report → 黄山市), else None."""
    named = file_name_place(name)
    return named if named is not None and region and named.name != region else None


def extract_metadata(text: str, g: Gazetteer | None = None) -> DocMeta:
    g = g or gazetteer()
    block = read_title_block(text)
    doc_type = detect_doc_type(text, block)
    place = detect_place(text, g, block)
    delivered = int(block.date[:4]) if block.date else None
    year, review, plan = detect_years(text, doc_type, delivered)
    region = place.name if place else ""
    return DocMeta(
        region=region,
        doc_type=doc_type,
        title=detect_title(block, region, doc_type, year),
        year=year,
        review_years=review,
        plan_years=plan,
        region_code=place.code if place else "",
        level=place.level if place else "",
        date=block.date,
        # only a work report's own title block names its meeting and speaker (news may quote another's)
        meeting=block.meeting if doc_type == "政府工作报告" else "",
        speaker=block.speaker if doc_type == "政府工作报告" else "",
        speaker_title=block.speaker_title if doc_type == "政府工作报告" else "",
    )
