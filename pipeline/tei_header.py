"""The teiHeader: the print book (from its CIP block and colophon), this
edition (from input/edition.toml), and what the pipeline did to the text."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from .model import Document
from .tei_inline import XML_ID, XML_LANG, sub

if TYPE_CHECKING:
    from .tei import EditionMeta

RULES = {
    "rule-toc": "自动校正：正文标题与目录对校（据全书用例与jieba词典判定取舍）",
    "rule-cip-title": "自动校正：书名页与CIP数据及版权页书名对校",
}
NORMALISATION_TEXT = {
    "space-cjk": "删除汉字之间及汉字与数字、西文之间的OCR多余空格",
    "space-number": "删除数字内部的空格（如 978 - 7 → 978-7，35. 00 → 35.00）",
    "space-latin-punct": "删除西文标点前的空格",
    "punct-width": "中文语境中的半角标点 , : ; ! ? ( ) 改为全角",
}


def cn_date(text: str) -> str:
    """`2011年1月第1版` → `2011-01`; `2010.12` → `2010-12`."""
    if m := re.search(r"(\d{4})\s*[年.]\s*(\d{1,2})", text):
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    if m := re.search(r"(\d{4})", text):
        return m.group(1)
    return ""


def title_of(doc: Document) -> str:
    fields = doc.imprint.fields if doc.imprint else {}
    if fields.get("书名") or fields.get("cip-title"):
        return fields.get("书名") or fields["cip-title"]
    for page in doc.title_pages:
        for line in page.lines:
            if line.role == "title":
                return line.run.reading_text()
    return doc.source.stem


def series_of(doc: Document) -> str:
    for page in doc.title_pages:
        for line in page.lines:
            if line.role == "series":
                return line.run.reading_text()
    return ""


def write_header(root: etree._Element, doc: Document, meta: "EditionMeta", date: str, version: str) -> None:
    fields = doc.imprint.fields if doc.imprint else {}
    header = sub(root, "teiHeader")
    file_desc = sub(header, "fileDesc")
    title = title_of(doc)
    author = fields.get("著者") or fields.get("作者") or fields.get("cip-author", "")
    ts = sub(file_desc, "titleStmt")
    sub(ts, "title", {"type": "main"}, title)
    if meta.subtitle:
        sub(ts, "title", {"type": "sub"}, meta.subtitle)
    if author:
        sub(ts, "author", text=author)
    if meta.editor:
        rs = sub(ts, "respStmt", {XML_ID: "editor"})
        sub(rs, "resp", text="校勘、注释")
        sub(rs, "name", text=meta.editor)
    for rule, text in RULES.items():
        rs = sub(ts, "respStmt", {XML_ID: rule})
        sub(rs, "resp", text=text)
        sub(rs, "name", text="edition-pipeline")
    if meta.statement:
        es = sub(file_desc, "editionStmt")
        ed = sub(es, "edition", text=meta.statement)
        sub(ed, "date", {"when": date}, date)
    ps = sub(file_desc, "publicationStmt")
    sub(ps, "publisher", text=meta.publisher or "edition-pipeline")
    sub(ps, "date", {"when": date}, date)
    if meta.identifier:
        sub(ps, "idno", {"type": "edition"}, meta.identifier)
    av = sub(ps, "availability", {"status": meta.availability or "unknown"})
    sub(av, "p", text=meta.licence or "未声明。")
    write_source_desc(sub(file_desc, "sourceDesc"), doc, fields, title, author)
    write_encoding_desc(header, doc, version)
    write_profile_desc(header, fields)
    rd = sub(header, "revisionDesc")
    sub(rd, "change", {"when": date},
        f"由 edition-pipeline {version} 自 {doc.source.name}（sha256 {doc.source.sha256[:16]}…）生成")


def write_source_desc(sd: etree._Element, doc: Document, fields: dict[str, str], title: str, author: str) -> None:
    bs = sub(sd, "biblStruct", {XML_LANG: "zh-Hans"})
    mono = sub(bs, "monogr")
    if author:
        sub(mono, "author", text=author)
    sub(mono, "title", {"level": "m"}, title)
    if isbn := fields.get("isbn"):
        sub(mono, "idno", {"type": "ISBN"}, isbn)
    if number := fields.get("cip-number"):
        sub(mono, "idno", {"type": "CIP"}, number)
    if edition := fields.get("版次"):
        sub(mono, "edition", text=edition)
    imprint = sub(mono, "imprint")
    if place := fields.get("cip-place"):
        sub(imprint, "pubPlace", text=place)
    if publisher := fields.get("出版发行") or fields.get("出版") or fields.get("cip-publisher"):
        sub(imprint, "publisher", text=publisher)
    if distributor := fields.get("经销"):
        sub(imprint, "distributor", text=distributor)
    when = cn_date(fields.get("版次", "")) or cn_date(fields.get("cip-date", ""))
    if when:
        sub(imprint, "date", {"when": when}, fields.get("版次") or fields.get("cip-date"))
    if not len(imprint):
        sub(imprint, "date", text="不详")
    write_extent(mono, fields)
    if series := series_of(doc):
        sr = sub(bs, "series")
        sub(sr, "title", {"level": "s"}, series)
    if price := fields.get("定价"):
        sub(bs, "note", {"type": "price"}, price)
    for key, kind in (("印刷", "printer"), ("地址", "address"), ("邮编", "postcode")):
        if value := fields.get(key):
            sub(bs, "note", {"type": kind}, value)


def write_extent(mono: etree._Element, fields: dict[str, str]) -> None:
    parts = [(k, fields[k]) for k in ("开本", "印张", "字数") if fields.get(k)]
    if not parts:
        return
    extent = sub(mono, "extent")
    units = {"开本": "format", "印张": "printersSheets", "字数": "characters"}
    for key, value in parts:
        attrs = {"unit": units[key]}
        if key == "印张" and (m := re.match(r"^([\d.]+)", value)):
            attrs["quantity"] = m.group(1)
        if key == "字数" and (m := re.match(r"^([\d.]+)千字", value)):
            attrs["quantity"] = str(int(float(m.group(1)) * 1000))
        sub(extent, "measure", attrs, f"{key}{value}")


def write_encoding_desc(header: etree._Element, doc: Document, version: str) -> None:
    ed = sub(header, "encodingDesc")
    app = sub(sub(ed, "appInfo"), "application", {"ident": "edition-pipeline", "version": version})
    sub(app, "label", text="edition-pipeline")
    pd = sub(ed, "projectDesc")
    sub(pd, "p", text="据扫描本OCR文本整理的数字版：清理OCR噪声，恢复全书结构，接续跨页段落，脚注置于注码处，并标注人名、地名、机构名、作品名与日期。")
    edl = sub(ed, "editorialDecl")
    corr = sub(edl, "correction", {"status": "medium", "method": "markup"})
    sub(corr, "p", text="每处文字校正以 choice/sic/corr 标出，corr/@resp 指向 titleStmt 中所列规则或编者，"
                        "@cert 为可信度；证据见构建报告。")
    norm = sub(edl, "normalization", {"method": "silent"})
    for rule, count in sorted(doc.normalisations.items()):
        if rule in NORMALISATION_TEXT:
            sub(norm, "p", {"n": rule}, f"{NORMALISATION_TEXT[rule]}（{count}处）")
    sub(norm, "p", {"n": "note-marker"}, "OCR以 ^ 表示的上标注码不予保留，注文以 note 置于注码处，@n 为原注码。")
    sub(norm, "p", {"n": "page-break"}, "OCR文本不标页；页末以脚注群或跨页断开的段落判定，以 pb 标出，页码不详时不设 @n。")
    cd = sub(ed, "classDecl")
    tax = sub(cd, "taxonomy", {XML_ID: "CLC"})
    sub(sub(tax, "bibl"), "title", text="中国图书馆分类法")
    tax = sub(cd, "taxonomy", {XML_ID: "CIP-subjects"})
    sub(sub(tax, "bibl"), "title", text="图书在版编目（CIP）数据主题词")


def write_profile_desc(header: etree._Element, fields: dict[str, str]) -> None:
    pd = sub(header, "profileDesc")
    lu = sub(pd, "langUsage")
    sub(lu, "language", {"ident": "zh-Hans"}, "简体中文")
    sub(lu, "language", {"ident": "en"}, "英文（引文、注释中的西文）")
    if fields.get("clc") or fields.get("subjects"):
        tc = sub(pd, "textClass")
        if clc := fields.get("clc"):
            sub(tc, "classCode", {"scheme": "#CLC"}, clc)
        if subjects := fields.get("subjects"):
            kw = sub(tc, "keywords", {"scheme": "#CIP-subjects"})
            for term in subjects.split("|"):
                sub(kw, "term", text=term)
