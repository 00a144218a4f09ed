"""Title pages, the CIP data block and the colophon (版权页).

Chinese books print their bibliographic data in fixed forms: the CIP block
(GB/T 12451: `题名/责任者.—出版地：出版者，年.月`, ISBN, the classification
line `Ⅰ.①… Ⅱ.①… Ⅲ.①主题词-主题词 Ⅳ.①分类号`, the CIP number) and the
colophon's labelled lines (书名, 著者, 出版发行, 地址, 邮编, … 定价).  We read
those forms; nothing here knows this book.
"""
from __future__ import annotations

import re

from . import patterns as P
from .model import CleanLine, Imprint, PageBreak, Run, TitleLine, TitlePage
from .pagination import run_of

# Colophon labels as Chinese publishers print them; the value follows the label.
COLOPHON_LABELS = ("书名", "著者", "作者", "编著", "主编", "译者", "责任编辑", "出版发行", "出版", "发行", "地址",
                   "邮编", "网址", "电话", "经销", "印刷", "开本", "版次", "印次", "印张", "字数", "书号", "定价")
CIP_STATEMENT = re.compile(r"^(?P<title>.+?)/(?P<author>.+?)(?P<role>著|编著|主编|编|译)\.?—(?P<place>[^：:]+)[：:]"
                           r"(?P<publisher>[^，,]+)[，,](?P<date>[\d.]+)")
CIP_NUMBER = re.compile(r"CIP数据核字[（(](?P<year>\d{4})[）)]第(?P<number>\d+)号")
ISBN = re.compile(r"ISBN\s*([\dXx][\d\-Xx ]{8,})")
CLASSIFICATION = re.compile(r"(?:IV|Ⅳ)\s*\.?\s*①\s*(?P<clc>[A-Z][\w.\-/]*)")
SUBJECTS = re.compile(r"(?:III|Ⅲ)\s*\.?\s*①(?P<subjects>[^IVⅣ]+?)(?=\s*(?:IV|Ⅳ|$))")


def colophon_fields(lines: list[CleanLine]) -> dict[str, str]:
    """Labelled colophon lines to fields, longest label first (出版发行 before 出版)."""
    fields: dict[str, str] = {}
    labels = sorted(COLOPHON_LABELS, key=len, reverse=True)
    for line in lines:
        for label in labels:
            if line.text.startswith(label) and len(line.text) > len(label):
                fields.setdefault(label, line.text[len(label):].strip())
                break
    return fields


def cip_fields(lines: list[CleanLine]) -> dict[str, str]:
    fields: dict[str, str] = {}
    text = "\n".join(ln.text for ln in lines)
    if m := next((CIP_STATEMENT.match(ln.text) for ln in lines if CIP_STATEMENT.match(ln.text)), None):
        fields.update({f"cip-{k}": v.strip() for k, v in m.groupdict().items()})
    if m := ISBN.search(text):
        fields["isbn"] = re.sub(r"\s", "", m.group(1))
    if m := CLASSIFICATION.search(text):
        fields["clc"] = m.group("clc")
    if m := SUBJECTS.search(text.replace("\n", " ")):
        fields["subjects"] = "|".join(s for s in re.split(r"[-－]", m.group("subjects").strip(" …")) if s)
    if m := CIP_NUMBER.search(text):
        fields["cip-number"] = f"{m.group('year')}-{m.group('number')}"
    return fields


def read_imprint(lines: list[CleanLine]) -> Imprint:
    """The imprint page: CIP lines up to the CIP number, the colophon after."""
    out: list[tuple[str, str, Run | PageBreak]] = []
    zone = "CIP"
    labels = sorted(COLOPHON_LABELS, key=len, reverse=True)
    for line in lines:
        if not line.text:
            continue
        if line.page_start:
            out.append((zone, "", PageBreak(line.page, line.number)))
        label = next((lb for lb in labels if zone == "colophon" and line.text.startswith(lb)
                      and len(line.text) > len(lb)), "")
        out.append((zone, label, run_of(line, len(label), len(line.text))))
        if CIP_NUMBER.search(line.text):
            zone = "colophon"
    fields = cip_fields(lines)
    fields.update(colophon_fields(lines))
    return Imprint(out, lines[0].number if lines else 0, fields)


def read_title_pages(lines: list[CleanLine], fields: dict[str, str]) -> list[TitlePage]:
    """Split the lines before the CIP block into title pages and say what each line is.

    A title page ends with its publisher line (or at a known page start).
    """
    title = fields.get("书名") or fields.get("cip-title", "")
    author = fields.get("著者") or fields.get("cip-author", "")
    publisher = fields.get("出版发行") or fields.get("cip-publisher", "")
    pages: list[TitlePage] = []
    current: TitlePage | None = None
    for line in lines:
        if not line.text:
            continue
        if current is None or (line.page_start and current.lines):
            pb = PageBreak(line.page, line.number) if line.page_start else None
            current = TitlePage([], line.number, pb)
            pages.append(current)
        run = run_of(line, 0, len(line.text))
        current.lines.append(TitleLine(title_role(run.reading_text(), title, author, publisher), run, line.number))
        if publisher and P.squeeze(run.reading_text()) == P.squeeze(publisher):
            current = None
    return pages


def title_role(text: str, title: str, author: str, publisher: str) -> str:
    squeezed = P.squeeze(text)
    if title and squeezed == P.squeeze(title):
        return "title"
    if publisher and squeezed == P.squeeze(publisher):
        return "publisher"
    if author and squeezed.startswith(P.squeeze(author)):
        return "author"
    if squeezed.endswith("丛书") or squeezed.endswith("文库") or squeezed.endswith("系列"):
        return "series"
    return "other"
