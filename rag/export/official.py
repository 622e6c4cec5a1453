"""The page of a Chinese official document for the Word briefing (after GB/T 9704-2012): A4, its margins,
the language zh-CN, 仿宋 for the body and 黑体 for headings (方正 fonts first where this machine has them;
Word substitutes a font it lacks), black headings, and the page number centred in the footer ("— 1 —").
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

LANGUAGE = "zh-CN"
# The first installed of each family; the last name is the one every Chinese Windows has.
BODY_FONTS = ("方正仿宋_GBK", "方正仿宋简体", "仿宋_GB2312", "仿宋")
HEADING_FONTS = ("方正黑体_GBK", "方正黑体简体", "黑体")
TITLE_FONTS = ("方正小标宋简体", "方正小标宋_GBK", *HEADING_FONTS)
LATIN = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
HEADING_SIZES = {"Title": Pt(22), "Heading 1": Pt(16), "Heading 2": Pt(16)}  # 二号 title, 三号 headings


@functools.cache
def installed_fonts() -> frozenset[str]:
    """Family names fontconfig knows on this machine (empty where it is absent)."""
    if not shutil.which("fc-list"):
        return frozenset()
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def pick(fonts: tuple[str, ...]) -> str:
    """The first of `fonts` installed here, else the last (the common one, for Word on the reader's machine)."""
    have = installed_fonts()
    return next((f for f in fonts if f in have), fonts[-1])


def _fonts(element, east_asian: str) -> None:
    """Set a run's or a style's fonts: `east_asian` for Chinese, Times New Roman for Latin, language zh-CN
    (theme fonts removed: they would win over the names)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asian)
    _language(rpr)


def _language(rpr) -> None:
    """Mark run properties as zh-CN (Latin and East Asian text)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _page_number(section) -> None:
    """Centred "— N —" in the footer."""
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run("— ")
    run = para.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    para.add_run(" —")
    for r in para.runs:
        r.font.size = Pt(14)  # 四号


def apply(doc) -> None:
    """Make a python-docx Document an official-style page (call before adding content)."""
    body, heading, title = pick(BODY_FONTS), pick(HEADING_FONTS), pick(TITLE_FONTS)
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        _page_number(section)
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal.element, body)
    normal.font.size = BODY_SIZE
    for name in ("Quote", "Table Grid"):
        if name in [s.name for s in styles]:
            _fonts(styles[name].element, body)
    styles["Quote"].font.italic = False  # Chinese text is not set in italics
    for name, size in HEADING_SIZES.items():
        style = styles[name]
        _fonts(style.element, title if name == "Title" else heading)
        style.font.size = size
        style.font.bold = name != "Title"
        style.font.color.rgb = RGBColor(0, 0, 0)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the document's default language too (what Word's spell checker and line breaking read)
    rpr_default = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        _language(rpr_default)
