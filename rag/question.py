"""Question analysis: what is asked, for which region, year and kind.

Slots:
- regions: region names from the index's documents found in the question
  (full name "张店区" or its stem "张店");
- years: explicit years ("2022年", "二〇二二年"), relative years ("去年",
  "今年", "明年", resolved later against each document's own year) and
  five-year-plan periods ("十三五", "过去五年");
- kind: "target" (目标/计划/力争…) or "actual" (完成/实现/实际…) or "";
- asked: number | list | entity | date | yesno | summary | other;
- terms: content words (jieba, stopwords removed) for lexical matching.
The vocabularies below are general to Chinese government documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .metadata import FIVE_YEAR_PLANS, cn_year_to_int
from .tokenize import tag, tokenize

_LEADING_PLACE = re.compile(r"(?:^|[和与及、，,])([\u4e00-\u9fff]{2,3}[省市区县])(?=\d|[的在去今明前上本和与及、，,“])")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
RELATIVE_YEARS = {"去年": -1, "上年": -1, "上一年": -1, "前年": -2, "今年": 0, "本年": 0, "当年": 0, "明年": 1, "新的一年": 0}
# Words that ask for a planned figure vs an achieved one (general report vocabulary).
TARGET_WORDS = ("目标", "预期", "计划", "打算", "力争", "拟", "定了", "定为", "要达到", "争取", "安排", "任务")
ACTUAL_WORDS = ("完成", "实际", "实现了", "取得", "达到了", "增长了", "多少了", "成效", "成绩", "回顾")
NUMBER_ASK = ("多少", "几", "多大", "多高", "多快", "比例", "比重", "占比", "增速", "增幅", "规模", "总量", "金额", "数量", "率")
WHICH_ASK = ("哪些", "哪几")  # "which ones": a list even when a figure is asked too
LIST_ASK = ("有什么", "包括", "包含", "列举", "分别")
PERSON_ASK = ("谁", "哪位")
NAME_ASK = ("哪家", "哪个", "叫什么", "名称")
ENTITY_ASK = ("哪座", "什么名", "哪一", "什么")  # weaker cues, checked after yes/no and summary
DATE_ASK = ("何时", "什么时候", "哪一年", "哪年", "几月", "哪天", "哪一天", "哪一日", "何日", "日期", "时间")
YESNO_ASK = ("是否", "有没有", "是不是", "吗")
SUMMARY_ASK = ("概括", "总结", "总体", "主要", "重点", "思路", "成效", "亮点", "有哪些方面", "怎么样", "如何")


# Common paraphrases of report indicators (general to Chinese government reports):
# the question's word -> how reports write it. Used to expand the lexical query
# and to count a term as present when one of its report forms is.
ALIASES = {
    "经济总量": ["地区生产总值", "生产总值"],
    "gdp": ["地区生产总值", "生产总值"],
    "经济增速": ["地区生产总值增长"],
    "财政收入": ["一般公共预算收入"],
    "财政支出": ["一般公共预算支出"],
    "税费": ["减税降费"],
    "减税": ["减税降费"],
    "外资": ["实际使用外资"],
    "外贸": ["进出口"],
    "消费品零售": ["社会消费品零售总额"],
    "社零": ["社会消费品零售总额"],
    "固投": ["固定资产投资"],
    "规上": ["规模以上"],
    "规模以上": ["规上"],
    "研发": ["研发经费", "研发投入"],
    "坏账": ["不良贷款"],
    "医护人员": ["医务人员"],
    "老旧小区": ["老旧小区改造"],
    "高企": ["高新技术企业"],
    "技术改造": ["技改"],
    "技改": ["技术改造"],
    "拆迁": ["征迁", "征收"],
    "养老床位": ["床位"],
    "人均收入": ["人均可支配收入"],
    "农民收入": ["农村居民人均可支配收入"],
    "城镇居民收入": ["城镇居民人均可支配收入"],
}
# Unit families a figure can be asked in.
UNIT_FAMILIES = {
    "money": ("亿元", "万元", "千元", "元"),
    "usd": ("亿美元", "万美元", "美元"),  # a dollar figure is not a yuan figure
    "percent": ("%", "‰", "个百分点", "百分点", "成"),
    "count": (
        "个",
        "家",
        "项",
        "座",
        "所",
        "条",
        "处",
        "人",
        "名",
        "户",
        "张",
        "台",
        "辆",
        "套",
        "件",
        "次",
        "批",
        "位",
        "床",
        "栋",
        "期",
    ),
    "area": ("平方米", "平方公里", "亩", "公顷"),
    "length": ("公里", "千米", "米"),
    "weight": ("吨", "万吨"),
    "power": ("千瓦", "万千瓦"),
}
_ASKED_UNIT = re.compile(
    r"(?:多少|几)\s*(亿元|万元|元|亿美元|万美元|美元|平方米|平方公里|亩|公里|千米|吨|万吨|千瓦|个百分点|个|家|项|座|所|条|处|人|名|户|张|台|辆|套|件|次|批|位|床|栋)"
)
PERCENT_ASK = (
    "增长了多少",
    "增长多少",
    "增速",
    "增幅",
    "涨幅",
    "幅度",
    "比重",
    "占比",
    "比例",
    "百分之",
    "提高多少",
    "下降多少",
    "降了多少",
    "涨了多少",
    "率",
)
# Asks for the size of an amount, not its change (general question Chinese).
LEVEL_ASK = ("多大", "总量", "规模多少", "体量")
MONEY_INDICATORS = (
    "总值",
    "收入",
    "支出",
    "投资",
    "资金",
    "营业额",
    "总额",
    "产值",
    "贷款",
    "税费",
    "奖补",
    "补贴",
    "经费",
    "基金",
)
# Words of question phrasing that name no indicator ("一共派了多少", "存在哪些",
# "当前"): dropped from the question's terms so their corpus rarity does not
# make them look like the indicator (general to questions in Chinese).
PHRASING = frozenset(
    "期间 一共 总共 合计 共计 去 派 认为 指出 提出 提到 存在 当前 目前 这份 那篇 这篇 该 其 时 还 分别 各 其中 里 "
    "多长 时间 哪一 一天 那片 那个 这个 这些 那些 给出 说 讲 写 称 被称为 称为 请 概括 总结 介绍 列举 包括 有哪些".split()
)
# "（不是2023年的目标）": a negated aside names what is NOT asked; drop it before reading slots.
_NEGATED_ASIDE = re.compile(r"[（(]\s*(?:不是|而非|并非|非|不含|不包括)[^（）()]*[）)]|[，,]\s*(?:而不是|不是|而非)[^，,。？?]*")


def unit_family(unit: str) -> str:
    for family, units in UNIT_FAMILIES.items():
        if unit in units:
            return family
    return ""


@dataclass
class Question:
    text: str
    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    relative: list[int] = field(default_factory=list)  # offsets from the document's year
    periods: list[str] = field(default_factory=list)  # 十三五, …
    kind: str = ""  # target | actual | ""
    asked: str = "other"
    terms: list[str] = field(default_factory=list)
    other_places: list[str] = field(default_factory=list)  # place names not among the documents' regions
    units: tuple[str, ...] = ()  # unit families a figure answer may have ("" = any)
    aliases: dict[str, list[str]] = field(default_factory=dict)  # term -> report wordings
    weights: dict[str, float] = field(default_factory=dict)  # term -> IDF in the corpus (set by the retriever)

    def search_text(self) -> str:
        """The question plus the report wordings of its paraphrased terms (for BM25)."""
        extra = [a for forms in self.aliases.values() for a in forms]
        return self.text + (" " + " ".join(extra) if extra else "")

    def wants_number(self) -> bool:
        return self.asked == "number"


def _asked(q: str) -> str:
    if any(w in q for w in DATE_ASK):
        return "date"
    if any(w in q for w in WHICH_ASK):
        return "list"
    if any(w in q for w in NUMBER_ASK):
        return "number"
    if any(w in q for w in LIST_ASK):
        return "list"
    if any(w in q for w in PERSON_ASK):
        return "person"
    if any(w in q for w in NAME_ASK):
        return "entity"
    if any(w in q for w in YESNO_ASK):
        return "yesno"
    if any(w in q for w in SUMMARY_ASK):
        return "summary"
    if any(w in q for w in ENTITY_ASK):
        return "entity"
    return "other"


# Words ending in 市/区/县 that are not place names (general vocabulary).
GENERIC_PLACES = frozenset(
    "全市 全区 全县 全省 本市 本区 本县 城市 城区 市区 园区 社区 小区 景区 片区 辖区 新区 老区 山区 "
    "开发区 高新区 示范区 试验区 先行区 功能区 集聚区 保税区 自贸区 中心城区 主城区 超市 上市 都市 夜市".split()
)


def place_names(text: str) -> list[str]:
    """Administrative place names written out in full ("博山区", "济南市")."""
    out = [m for m in _LEADING_PLACE.findall(text) if m not in GENERIC_PLACES]
    for word, flag in tag(text):
        if len(word) >= 3 and word[-1] in "省市区县" and word not in GENERIC_PLACES and flag in ("ns", "nr"):
            if not any(word in o for o in out):
                out.append(word)
    return out


def region_aliases(region: str) -> list[str]:
    """'张店区' -> ['张店区', '张店']: the stem is how people usually say it."""
    if len(region) > 2 and region[-1] in "省市区县":
        return [region, region[:-1]]
    return [region] if region else []


def _units(text: str) -> tuple[str, ...]:
    m = _ASKED_UNIT.search(text)
    if m:
        return (unit_family(m.group(1)),)
    if any(w in text for w in PERCENT_ASK):
        return ("percent",)
    if any(w in text for w in MONEY_INDICATORS) and any(w in text for w in ("多少", "多大", "几")):
        if any(w in text for w in LEVEL_ASK):  # "经济总量有多大": the amount itself, not its growth rate
            return ("money", "usd")
        return ("money", "usd", "percent")
    return ()


def analyse(text: str, known_regions: list[str] | tuple[str, ...] = ()) -> Question:
    q = Question(text=text)
    text = _NEGATED_ASIDE.sub("", text)
    for region in sorted(set(known_regions), key=len, reverse=True):
        if any(alias in text for alias in region_aliases(region)):
            q.regions.append(region)
    q.other_places = [p for p in place_names(text) if p not in q.regions and not any(p in r or r in p for r in q.regions)]
    years = [int(y) for y in _YEAR.findall(text)]
    years += [y for y in (cn_year_to_int(m) for m in _CN_YEAR.findall(text)) if y]
    q.years = sorted(set(years))
    for word, offset in RELATIVE_YEARS.items():
        if word in text and offset not in q.relative:
            q.relative.append(offset)
    q.periods = [name for name in FIVE_YEAR_PLANS if name in text]
    if any(w in text for w in ("过去五年", "过去5年", "上一个五年", "五年来")):
        q.periods.append("past-five-years")
    if any(w in text for w in TARGET_WORDS):
        q.kind = "target"
    elif any(w in text for w in ACTUAL_WORDS):
        q.kind = "actual"
    q.asked = _asked(text)
    lowered = text.lower()
    q.aliases = {w: forms for w, forms in ALIASES.items() if w in lowered}
    if q.asked == "number":
        # a paraphrased indicator asks in its report wording's unit ("经济总量有多大" -> 地区生产总值: money)
        q.units = _units(text + " " + " ".join(f for forms in q.aliases.values() for f in forms))
    drop = set(RELATIVE_YEARS) | set(TARGET_WORDS) | set(ACTUAL_WORDS) | PHRASING
    drop |= {u for units in UNIT_FAMILIES.values() for u in units}
    for region in q.regions:
        drop.update(tokenize(region))
    q.terms = [t for t in tokenize(text) if t not in drop and not _YEAR.fullmatch(t)]
    q.terms += [w for w in q.aliases if w not in q.terms]
    return q
