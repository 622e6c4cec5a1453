"""Page furniture of a report copied out of a web page: what the page put around the report, not in it.

Read in two zones only, so nothing inside a report is touched:
- the head (the lines before the address "各位代表", within the first HEAD_LINES lines): page controls one per
  line (下载 / 打印 / 【字号： / 加大 / 】, 分享：), breadcrumbs (您的位置 / 当前位置 / 首页 > … >), the article's
  source, time and editor lines (来源：…, or the label on one line and the value on the next), timestamps,
  photo captions (…记者 朱江 摄) and lines the page repeats (the title shown twice);
- the tail (the last TAIL_LINES lines): from the first line that closes the article (相关报道, 相关附件,
  相关链接, 责任编辑, 扫一扫在手机打开当前页, 打印本页, 关闭窗口) to the end, with the link lists and the title
  a page repeats after them.
The patterns are the page's own vocabulary (the words a site puts on its buttons), not any one site's layout.
"""

from __future__ import annotations

import re

from ...domain.reports import ADDRESS

HEAD_LINES = 40
TAIL_LINES = 40
MAX_FURNITURE = 24  # characters: furniture lines are short

_CONTROLS = frozenset(
    "下载 打印 全屏 收藏 加大 还原 减小 大 中 小 默认 分享 打印本页 关闭窗口 关闭 返回顶部 返回 首页 纠错 "
    "字号 字体 背景色 朗读 语音播报 微信 微博 复制链接 我要打印 保存 【 】 > >> » ›".split()
)
_CONTROL_LINE = re.compile(r"^[【\[]?\s*(?:字号|字体|背景色)\s*[:：]|^[【\[]?\s*(?:大|中|小)(?:\s+(?:大|中|小)){1,2}\s*[】\]]?$")
_LABEL = re.compile(
    r"^(?:来源|信息来源|文章来源|时间|发布时间|发布日期|日期|更新时间|编辑|责任编辑|作者|撰稿|浏览次数|点击数|阅读次数|访问量)"
    r"\s*[:：]\s*(.*)$"
)
_TIMESTAMP = re.compile(
    r"^(?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:时]\s*\d{2}\s*分?(?:\s*:\s*\d{2})?)?$"
)
_BREADCRUMB = re.compile(r"^(?:您的位置|您现在的位置|当前位置|所在位置|位置)\s*[:：]|^首页\s*[>›»/]")
_CAPTION = re.compile(r"(?:记者|摄影|通讯员|图)\s*[:：]?\s*[\u4e00-\u9fff·\s]{2,12}?\s*摄\s*[)）]?$")
_ARROWS = (">", "›", "»", ">>")
_CLOSERS = re.compile(
    r"^(?:相关报道|相关附件|相关链接|相关阅读|相关新闻|相关文章|延伸阅读|责任编辑|扫一扫|打印本页|关闭窗口|【打印|【关闭)"
)


def _is_control(line: str) -> bool:
    bare = line.strip().rstrip("：:").strip()
    return bare in _CONTROLS or bool(_CONTROL_LINE.match(line.strip()))


def _head_end(lines: list[str]) -> int:
    """Index of the address line that opens the report, or 0 when the first lines hold none."""
    for i, ln in enumerate(lines[:HEAD_LINES]):
        if ADDRESS.match(ln):
            return i
    return 0


def _clean_head(lines: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    skip_value = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if skip_value:  # the value line of a label that stood alone ("来源：" / "四川日报")
            skip_value = False
            if len(line) <= MAX_FURNITURE and not re.search(r"[。！？；]", line):
                continue
        label = _LABEL.match(line)
        if label and len(line) <= 2 * MAX_FURNITURE:
            skip_value = not label.group(1).strip()
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        prev = lines[i - 1].strip() if i else ""
        in_crumbs = any(x in _ARROWS for x in (line, nxt, prev))
        if _is_control(line) or _TIMESTAMP.match(line) or _BREADCRUMB.match(line) or _CAPTION.search(line):
            continue
        if in_crumbs and len(line) <= MAX_FURNITURE and not re.search(r"[。，；]", line):
            continue  # "首页 / > / 政府信息公开 / > / …": the breadcrumb trail, one step a line
        if line in seen:
            continue  # the title and date line a page shows twice
        seen.add(line)
        out.append(line)
    return out


def _tail_start(lines: list[str]) -> int:
    """Index of the first line that closes the article in the last TAIL_LINES lines (len(lines) if none)."""
    start = max(0, len(lines) - TAIL_LINES)
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if line and len(line) <= MAX_FURNITURE * 2 and _CLOSERS.match(line):
            return i
    return len(lines)


def strip_furniture(text: str) -> str:
    """`text` without the page furniture of its head and tail (see the module notes); `text` itself when
    it has none."""
    lines = text.split("\n")
    end = _head_end(lines)
    head = _clean_head(lines[:end]) if end else []
    body = lines[end:] if end else lines
    cut = _tail_start(body)
    if cut == len(body) and head == [ln.strip() for ln in lines[:end] if ln.strip()]:
        return text
    out = "\n".join([*head, *body[:cut]]).strip("\n")
    return out + "\n" if out else ""
