"""Chinese numerals, read with `cn2an` (MIT): "一千二百万" → 12000000, "五点五" → 5.5, "二〇二三" → 2023.

Only spans that are numerals are converted — never a whole text: 一般, 统一, 一带一路 and the five-year
plans (十四五) stay words.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

CN_DIGIT_CHARS = "〇零一二三四五六七八九"
CN_NUMERAL = "[〇零一二三四五六七八九十百千万亿两点]"  # one character of a Chinese numeral (regex class)
CN_COUNT_CHARS = "一二三四五六七八九十"  # the counting numerals: 第十四届, 一、, （三）
CN_COUNT = f"[{CN_COUNT_CHARS}]"
CN_COUNT_OR_DIGIT = rf"[{CN_COUNT_CHARS}两\d]"  # a small count as written: 近三年, 前5, 两个


@lru_cache(maxsize=4096)
def cn_number(text: str) -> float | None:
    """The value of a Chinese numeral ("一千二百万", "五点五", "两"), None if it is not one."""
    import cn2an

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = cn2an.cn2an(text, "smart")
        except (ValueError, KeyError, IndexError, TypeError):
            return None
    return float(value)


def cn_digits_year(text: str) -> int | None:
    """ "二〇二三" → 2023: four digit characters read one by one (how years are written)."""
    if len(text) == 4 and all(ch in CN_DIGIT_CHARS for ch in text):
        return int(text.translate(_DIGIT_VALUES))
    return None


_DIGIT_VALUES = str.maketrans(CN_DIGIT_CHARS, "00123456789")
