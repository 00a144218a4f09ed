"""Character classes and the printed patterns of a Chinese academic book.

Shared by clean (which checks headings against the 目录) and structure (which
builds the divisions).  Everything here is a convention of Chinese book
typography, not a fact about one book.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width forms, CJK symbols, curly quotes, dashes, ellipsis, middle dot,
# circled numbers: the punctuation that sits inside Chinese text.
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2015\u2026\u00b7\u2460-\u24ff\u2e80-\u2eff"
CJKISH = HAN + CJK_PUNCT
CJK_CHAR = re.compile(f"[{CJKISH}]")
HAN_CHAR = re.compile(f"[{HAN}]")

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# A note body opens a line with its marker; OCR shows superscript as ^.
NOTE_BODY = re.compile(rf"^\^?([{CIRCLED}])\s*(.*)$", re.S)
NOTE_MARKER = re.compile(rf"\^?([{CIRCLED}])")

CN_NUMERAL = "一二三四五六七八九十百零〇两"
CHAPTER = re.compile(rf"^(第[{CN_NUMERAL}\d]+章)\s*(.*)$")
SECTION = re.compile(rf"^([{CN_NUMERAL}]+、)\s*(.*)$")
APPENDIX = re.compile(rf"^(附件[{CN_NUMERAL}\d]+|附录[{CN_NUMERAL}\d]*)\s*(.*)$")
PREFACE = re.compile(r"^(前\s*言|序\s*言?|自\s*序|引\s*言)$")
CONTENTS = re.compile(r"^目\s*录$")
AFTERWORD = re.compile(r"^(后\s*记|跋)$")
BIBLIOGRAPHY = re.compile(r"^(参考文献|参考书目).*$")
CIP_HEAD = re.compile(r"^图书在版编目[（(]CIP[）)]数据$")

# Lines ending a sentence or a paragraph: what may legitimately stand before a
# page break without the paragraph running on.
TERMINAL = tuple("。！？…”』」）)!?.；;：:")

# One 目录 entry: title, optional dot leaders, page in parentheses.  A page is
# a parenthesised number followed by the end or by the next entry, so
# `第1540（2004）号决议` keeps its year.
TOC_ENTRY = re.compile(r"(?P<title>.+?)[\s.…·]*[（(](?P<page>\d{1,4})[）)](?=\s|$|第|[一二三四五六七八九十]+、|附件|附录|参考|后\s*记|前\s*言)")

ROMAN_PAGE = re.compile(r"^[ivxlcdm]+$", re.I)


@dataclass(frozen=True)
class Heading:
    kind: str  # chapter | section | appendix | preface | afterword | bibliography
    label: str
    title: str


def classify_heading(text: str) -> Heading | None:
    """What kind of heading `text` would be by its form alone."""
    stripped = text.strip()
    if m := CHAPTER.match(stripped):
        return Heading("chapter", m.group(1), m.group(2).strip())
    if m := APPENDIX.match(stripped):
        return Heading("appendix", m.group(1), m.group(2).strip())
    if PREFACE.match(stripped):
        return Heading("preface", "", stripped)
    if AFTERWORD.match(stripped):
        return Heading("afterword", "", stripped)
    if BIBLIOGRAPHY.match(stripped):
        return Heading("bibliography", "", stripped)
    if m := SECTION.match(stripped):
        return Heading("section", m.group(1), m.group(2).strip())
    return None


def parse_toc_line(text: str) -> list[tuple[str, str, str]]:
    """Split a 目录 line into (raw entry, title, page); entries may run together."""
    out = []
    for m in TOC_ENTRY.finditer(text.strip()):
        out.append((m.group(0).strip(), m.group("title").strip(), m.group("page")))
    return out


def squeeze(text: str) -> str:
    """Text without any whitespace: for comparing printed forms."""
    return re.sub(r"\s+", "", text)
