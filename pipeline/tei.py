"""Stage 5, TEI: the Document as a TEI P5 tree (see docs/encoding.md).

The header holds metadata read from the CIP block and colophon, the
edition's own metadata (`input/edition.toml`) and the declarations of what
the pipeline normalised; `<text>` holds every character of the source.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from . import __version__
from .editor_files import key_line, located, read_toml, table_line
from .model import Div, Document, Entity, PageBreak, Paragraph, Run
from .patterns import HAN_CHAR
from .tei_header import write_header
from .tei_inline import TEI_NS, XML_ID, XML_LANG, Counters, T, sub, write_run


@dataclass(frozen=True)
class EditionMeta:
    subtitle: str = ""
    statement: str = ""
    publisher: str = ""
    identifier: str = ""
    availability: str = "restricted"
    licence: str = ""
    editor: str = ""
    date: str = "1970-01-01"


class EditionMetaError(Exception):
    exit_code = 3


# The TEI points to #editor from every editor's correction and note, so an
# edition.toml without an editor builds a TEI with dangling pointers; every other
# key has a default that makes a valid TEI.
REQUIRED_META = ("editor",)
# publicationStmt/availability/@status in schemas/edition.rnc.
AVAILABILITY = ("free", "restricted", "unknown")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def load_edition_meta(path: Path | None) -> EditionMeta:
    """`input/edition.toml`, checked here so that a mistake in it is named in the
    file rather than found later as an invalid TEI.  No file: the defaults."""
    if path is None or not path.exists():
        return EditionMeta()
    text, data = read_toml(path, EditionMetaError)
    table = edition_table(path, text, data)
    values = {key: meta_value(path, text, key, value) for key, value in table.items()}
    for key in REQUIRED_META:
        if not values.get(key):
            raise EditionMetaError(f"{located(path, table_line(text, 'edition'))}: [edition] needs {key} = \"…\"")
    return EditionMeta(**values)


def edition_table(path: Path, text: str, data: dict[str, object]) -> dict[str, object]:
    """The [edition] table, with nothing beside it and no key it does not know."""
    for key, value in data.items():
        if key == "edition" and isinstance(value, dict):
            continue
        if isinstance(value, dict):
            why = f"unknown table [{key}]; the metadata goes in [edition]"
        else:
            why = f"{key} is outside the [edition] table; put it below the [edition] line"
        raise EditionMetaError(f"{located(path, table_line(text, key) or key_line(text, key))}: {why}")
    if "edition" not in data:
        empty = not any(ln.strip() and not ln.lstrip().startswith("#") for ln in text.splitlines())
        raise EditionMetaError(f"{path}: no [edition] table{' (the file is empty)' if empty else ''}; "
                               f"it needs at least [edition] and {', '.join(REQUIRED_META)} = \"…\"")
    table = data["edition"]
    known = EditionMeta.__dataclass_fields__
    for key in table:
        if key not in known:
            raise EditionMetaError(f"{located(path, key_line(text, key, 'edition'))}: unknown key {key} in "
                                   f"[edition]; known: {', '.join(known)}")
    return table


def meta_value(path: Path, text: str, key: str, value: object) -> str:
    """One [edition] value as a string, or an error at its line."""
    where = located(path, key_line(text, key, "edition"))
    if key == "date" and type(value) is dt.date:
        value = value.isoformat()  # a bare TOML date (date = 2026-11-24) means the same
    if not isinstance(value, str):
        raise EditionMetaError(f"{where}: {key} must be a string in quotes, not {value!r}")
    if key == "date" and not is_iso_day(value):
        raise EditionMetaError(f"{where}: date must be a day as YYYY-MM-DD (2026-11-24), not {value!r}")
    if key == "availability" and value not in AVAILABILITY:
        raise EditionMetaError(f"{where}: availability must be one of {', '.join(AVAILABILITY)}, not {value!r}")
    return value


def is_iso_day(value: str) -> bool:
    try:
        return bool(ISO_DAY.match(value)) and bool(dt.date.fromisoformat(value))
    except ValueError:  # 2026-02-30
        return False


def build_date(meta: EditionMeta) -> str:
    """The build's date: SOURCE_DATE_EPOCH when set (reproducible builds), else the edition's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return meta.date


def build_tei(doc: Document, meta: EditionMeta) -> etree._ElementTree:
    root = etree.Element(T + "TEI", nsmap={None: TEI_NS})
    root.set(XML_LANG, "zh-Hans")
    counters = Counters()
    write_header(root, doc, meta, build_date(meta), __version__)
    if doc.entities:
        write_standoff(root, doc.entities)
    text = sub(root, "text")
    write_front(sub(text, "front"), doc, counters)
    body = sub(text, "body")
    if doc.body_page_break:
        write_pb(body, doc.body_page_break)
    if doc.body_head:
        write_run(sub(body, "head"), doc.body_head, counters)
    write_blocks(body, doc.body_blocks, counters)
    for div in doc.body:
        write_div(body, div, counters)
    if not len(body) or all(etree.QName(el).localname in ("head", "pb") for el in body):
        sub(body, "p")  # TEI wants some content; an empty <p/> says the body is empty
    if doc.back:
        back = sub(text, "back")
        for div in doc.back:
            write_div(back, div, counters)
    doc.stats["spans dropped (crossing)"] = len(counters.dropped_spans)
    return etree.ElementTree(root)


def write_front(front: etree._Element, doc: Document, counters: Counters) -> None:
    for k, page in enumerate(doc.title_pages, start=1):
        if page.page_break:
            write_pb(front, page.page_break)
        tp = sub(front, "titlePage", {"n": str(k)})
        for line in page.lines:
            write_title_line(tp, line.role, line.run, counters)
    if doc.imprint:
        div = sub(front, "div", {"type": "imprint", XML_ID: "imprint"})
        for zone, label, item in doc.imprint.lines:
            if isinstance(item, PageBreak):
                write_pb(div, item)
                continue
            ab = sub(div, "ab", {"type": zone})
            if label:
                sub(ab, "label", text=label)
                sub_tail(ab, " ")
            write_run(ab, item, counters)
    # Front sections in the order the book prints them (前言 before or after the 目录).
    parts: list[tuple[int, object]] = [(d.line, d) for d in doc.front_divs]
    if doc.toc_head is not None:
        parts.append((doc.toc_line, None))
    for _, part in sorted(parts, key=lambda p: p[0]):
        if part is None:
            write_contents(front, doc, counters)
        else:
            write_div(front, part, counters)


def write_title_line(tp: etree._Element, role: str, run: Run, counters: Counters) -> None:
    if role == "title":
        write_run(sub(sub(tp, "docTitle"), "titlePart", {"type": "main"}), run, counters)
    elif role == "author":
        write_run(sub(tp, "docAuthor"), run, counters)
    elif role == "publisher":
        write_run(sub(sub(tp, "docImprint"), "publisher"), run, counters)
    elif role == "series":
        write_run(sub(sub(tp, "docTitle"), "titlePart", {"type": "series"}), run, counters)
    else:
        write_run(sub(sub(tp, "docTitle"), "titlePart", {"type": "sub"}), run, counters)


def write_contents(front: etree._Element, doc: Document, counters: Counters) -> None:
    if doc.toc_page_break:
        write_pb(front, doc.toc_page_break)
    div = sub(front, "div", {"type": "contents", XML_ID: "contents"})
    write_run(sub(div, "head"), doc.toc_head, counters)
    lst = sub(div, "list", {"type": "toc"})
    for entry in doc.toc:
        if entry.page_break:
            write_pb(lst, entry.page_break)
        item = sub(lst, "item", {"n": str(entry.level)})
        if entry.label:
            sub(item, "label", text=entry.label)
        title = sub(item, "ref", {"target": f"#{entry.target}"}) if entry.target else sub(item, "seg")
        write_run(title, entry.title_run or Run(), counters)
        sub(item, "num", {"type": "page"}, entry.page)


def write_div(parent: etree._Element, div: Div, counters: Counters) -> None:
    if div.page_before:
        write_pb(parent, div.page_before)
    el = sub(parent, "div", {"type": div.type, "n": div.n, XML_ID: div.xml_id})
    head = sub(el, "head")
    if div.label:
        sub(head, "label", text=div.label)
        if not div.label.endswith("、"):  # 第一章 绪论, but 一、问题的提出
            sub_tail(head, " ")
    write_run(head, div.head, counters)
    write_blocks(el, div.blocks, counters)
    for child in div.divs:
        write_div(el, child, counters)


def write_blocks(parent: etree._Element, blocks: list[Paragraph | PageBreak], counters: Counters) -> None:
    for block in blocks:
        if isinstance(block, PageBreak):
            write_pb(parent, block)
        else:
            write_run(sub(parent, "p"), block.run, counters)


def sub_tail(parent: etree._Element, text: str) -> None:
    parent[-1].tail = (parent[-1].tail or "") + text


def write_pb(parent: etree._Element, pb: PageBreak) -> None:
    sub(parent, "pb", {"n": pb.n or ""})


LIST_OF = {"person": ("listPerson", "person", "persName"), "place": ("listPlace", "place", "placeName"),
           "org": ("listOrg", "org", "orgName"), "work": ("listBibl", "bibl", "title")}


def write_standoff(root: etree._Element, entities: list[Entity]) -> None:
    standoff = sub(root, "standOff")
    for kind, (list_tag, entry_tag, name_tag) in LIST_OF.items():
        members = [e for e in entities if e.type == kind]
        if not members:
            continue
        lst = sub(standoff, list_tag)
        for e in members:
            entry = sub(lst, entry_tag, {XML_ID: e.xml_id})
            sub(entry, name_tag, {"type": "preferred"} if kind != "work" else {"type": "main"}, e.name)
            for alias in e.aliases:
                if alias == e.english:  # an English surface the text uses: given once, below
                    continue
                variant = sub(entry, name_tag, {"type": "variant"} if kind != "work" else {"type": "alt"}, alias)
                if not HAN_CHAR.search(alias):
                    variant.set(XML_LANG, "en")
            if e.english:
                name = sub(entry, name_tag, {XML_LANG: "en"}, e.english)
                name.set("type", "preferred" if kind != "work" else "alt")
            if e.wikidata:
                sub(entry, "idno", {"type": "wikidata"}, e.wikidata)
            if e.note:
                sub(entry, "note", text=e.note)


# Elements whose content is elements only: whitespace between their children is
# insignificant, so they may be indented.  Inside mixed content (p, head, note,
# item…) a newline would become a space in Chinese text, so nothing is added.
ELEMENT_ONLY = {
    "TEI", "teiHeader", "fileDesc", "titleStmt", "editionStmt", "publicationStmt", "availability", "sourceDesc",
    "biblStruct", "monogr", "imprint", "series", "extent", "encodingDesc", "editorialDecl", "appInfo", "classDecl",
    "taxonomy", "category", "profileDesc", "langUsage", "textClass", "keywords", "revisionDesc", "standOff",
    "listPerson", "person", "listPlace", "place", "listOrg", "org", "listBibl", "bibl", "text", "front", "body",
    "back", "div", "titlePage", "docTitle", "list", "respStmt", "projectDesc", "correction", "normalization",
    "application", "punctuation", "listChange",
}


def indent(el: etree._Element, level: int = 0) -> None:
    if etree.QName(el).localname not in ELEMENT_ONLY or not len(el) or (el.text and el.text.strip()):
        return
    if any(child.tail and child.tail.strip() for child in el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        indent(child, level + 1)
        child.tail = pad
    el[-1].tail = "\n" + "  " * level


def serialise(tree: etree._ElementTree) -> bytes:
    indent(tree.getroot())
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8") + b"\n"


def tei(doc: Document, meta: EditionMeta) -> bytes:
    """The entry: a Document to serialised TEI bytes."""
    return serialise(build_tei(doc, meta))

