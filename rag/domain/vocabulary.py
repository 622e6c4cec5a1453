"""The vocabulary of questions and reports: words that ask for a figure, a list, a date or a name; words
of targets and results; words that say how a figure moved; indicator paraphrases (everyday word → how
reports write it); words of question phrasing that name no indicator. General Chinese government-report
language, not any one document's.
"""

from __future__ import annotations

import re

# Words that ask for a planned figure vs an achieved one (general report vocabulary).
TARGET_WORDS = ("目标", "预期", "计划", "打算", "力争", "拟", "定了", "定为", "要达到", "争取", "安排", "任务")
# A question asking what was planned, whatever else it says ("2025年要确保粮食产量达到多少", "稳定在多少").
PLAN_ASK = re.compile("|".join(TARGET_WORDS) + r"|要|确保|稳定在|控制在|保持在|将")
ACTUAL_WORDS = ("完成", "实际", "实现了", "取得", "达到了", "增长了", "多少了", "成效", "成绩", "回顾", "最终")


def asked_kind(text: str) -> str:
    """ "target" when a question asks for a planned figure, "actual" for an achieved one, "" when it does not say."""
    if any(w in text for w in TARGET_WORDS):
        return "target"
    if any(w in text for w in ACTUAL_WORDS):
        return "actual"
    return ""


# Modifiers that make an indicator a ratio to something else: "人均地区生产总值", "单位地区生产总值能耗", "每万人…"
# are not 地区生产总值 (a sentence's occurrence so modified does not place the asked total).
PER_UNIT = ("人均", "单位", "万元", "每万人", "每千人", "亩均", "户均")


# An aside that names what is NOT asked: "（不是2023年的目标）", "，而不是全省的". Dropped before a question is read.
NEGATED_ASIDE = re.compile(
    r"[（(][^（）()]*(?:不是|而非|并非|不含|不包括|不要)[^（）()]*[）)]|[（(]\s*非[^（）()]*[）)]|[，,]\s*(?:而不是|不是|而非)[^，,。？?]*"
)
NUMBER_ASK = ("多少", "几", "多大", "多高", "多快", "比例", "比重", "占比", "增速", "增幅", "规模", "总量", "金额", "数量", "率")
WHICH_ASK = ("哪些", "哪几")  # "which ones": a list even when a figure is asked too
LIST_ASK = ("有什么", "包括", "包含", "列举", "分别")
PERSON_ASK = ("谁", "哪位")
# A place's rank ("在浙江排第几", "总量在湖北排第几位", "位次"), and how a report states one ("全省第三", "居全国第5位",
# "排名第二", "位居前列").
RANK_ASK = (
    "排第几",
    "排名第几",
    "第几位",
    "第几名",
    "排在第几",
    "居第几",
    "位列第几",
    "排多少位",
    "排名多少",
    "位次",
    "排名如何",
    "排名怎样",
)
RANK = re.compile(
    r"(?:全国|全省|全区|全市|全州|[\u4e00-\u9fff]{2}(?=第))?第(?:[一二三四五六七八九十两]+|\d+)(?:位|名|(?![\d一二三四五六七八九十两产批次届季轮章条部个阶期大家份年]))"
    r"|(?:全国|全省|全区)?(?:首位|前列|榜首)"
)
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
    "经济增长": ["地区生产总值增长", "生产总值增长"],
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
    "居民收入": ["居民人均可支配收入"],
    "老百姓收入": ["居民人均可支配收入"],
    "农民收入": ["农村居民人均可支配收入"],
    "城镇居民收入": ["城镇居民人均可支配收入"],
}
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
    "强度",
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
# Words of a question that say how a figure moved or what kind it is, not which
# indicator it belongs to ("实际使用外资的增长目标是多少": the indicator is 实际使用外资;
# 增长 and 目标 appear beside every figure of a target list). General report vocabulary.
# Words that say a figure is a change, not a level ("地区生产总值增长5.5%", "能耗下降3%"): a regex alternation.
GROWTH_WORDS = "增长|增速|增幅|上涨|涨幅|涨|提高|提升|下降|降低|减少|增加"
CHANGE_WORDS = frozenset(
    "增长 增速 增幅 涨幅 幅度 增加 提高 提升 下降 降低 减少 目标 预期 计划 完成 实现 达到 突破 同比 比上年 较上年 累计 全年 年均 "
    "实际 预计 控制 控制在 保持 稳定 稳定在".split()
)


# Resident groups that statistics in government reports are given for (income, pensions,
# insurance): a figure for one group does not answer a question about another.
_RESIDENT_WORDS = (
    ("rural", re.compile(r"农村居民|农民|农村")),
    ("urban", re.compile(r"城镇居民|城市居民|城镇")),
    ("combined", re.compile(r"城乡居民|全体居民")),
)
RESIDENT_NAMES = {"rural": "农村居民", "urban": "城镇居民", "combined": "城乡居民（合计）"}


def asked_residents(text: str) -> str | None:
    """The resident group a question asks about, if it names one."""
    return next((g for g, pattern in _RESIDENT_WORDS if pattern.search(text)), None)


def sentence_residents(sentence: str) -> set[str]:
    """Resident groups a sentence gives figures for: "城镇和农村居民…分别" and
    "城乡居民…分别增长5%、6.5%" give both groups; "城乡居民人均可支配收入达39351元" the total."""
    groups = {g for g, pattern in _RESIDENT_WORDS if pattern.search(sentence)}
    if "combined" in groups and "分别" in sentence and "城乡居民" in sentence:
        groups |= {"rural", "urban"}
    return groups


# Heads that many statistics share: only their modifiers say which one is meant ("第一产业增加值" is no 规模以上工业增加值).
SHARED_HEADS = frozenset("增加值 总额 总值 收入 支出 投资 产值 营业收入 利润 总量 规模 销售额 零售额".split())
