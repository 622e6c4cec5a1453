"""Deterministic fakes for unit tests (never used by the shipped path)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np


class KeywordEmbedder:
    """Hashes character bigrams into a fixed-size vector: similar texts share
    dimensions, identical texts get identical vectors. Counts its calls."""

    def __init__(self, dim: int = 64, name: str = "fake/keyword"):
        self.name = name
        self._dim = dim
        self.passages_embedded = 0
        self.queries_embedded = 0

    @property
    def dim(self) -> int:
        return self._dim

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, dtype=np.float32)
        for i in range(len(text) - 1):
            h = int(hashlib.md5(text[i : i + 2].encode()).hexdigest()[:8], 16)
            v[h % self._dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_passages(self, texts):
        self.passages_embedded += len(texts)
        return np.vstack([self._vec(t) for t in texts]) if texts else np.zeros((0, self._dim), np.float32)

    def embed_queries(self, texts):
        self.queries_embedded += len(texts)
        return np.vstack([self._vec(t) for t in texts]) if texts else np.zeros((0, self._dim), np.float32)


REPORT_A = """政府工作报告
——2023年1月7日在甲山区
第十八届人民代表大会第二次会议上
甲山区人民政府区长　张三

各位代表：
现在我代表区人民政府，向大会报告工作，请予审议。

2022年政府工作回顾

2022年是极不平凡的一年。全区上下团结奋斗，甲山发展取得新成效。
经济运行稳中有升。预计地区生产总值完成805亿元，同比增长3.4%。一般公共预算收入完成44.9亿元。外贸进出口总额保持平稳运行。

2023年工作总体要求、主要目标和重点任务

全区经济社会发展的主要预期目标建议为：地区生产总值增长6%左右，一般公共预算收入增长5.5%左右。
推进项目建设。新建5G基站300座以上，充电桩保有量达到3000个以上。
"""

REPORT_B = """各位代表：
现在，我代表市人民政府向大会报告工作，请予审议。

一、2023年工作回顾

经济运行稳中提质。预计全市地区生产总值突破4500亿元，同比增长5.5%左右；一般公共预算收入完成395.3亿元。临沂烧烤火出圈，临沂成为网红城市，临沂市民生活更美好。

二、今年经济社会发展目标任务和工作重点

全市经济社会发展主要预期目标建议为：地区生产总值增长5%以上，一般公共预算收入增长4%以上。
"""


def make_zip(members: dict[str, bytes]) -> bytes:
    """A zip archive (a DOCX is one) with these members, deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()
