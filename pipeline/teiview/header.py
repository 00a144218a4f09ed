"""The teiHeader: the edition's metadata and the names of its correction rules."""
from __future__ import annotations

from lxml import etree

from .model import Metadata
from .tree import XML_ID, XML_LANG, TeiError, first_text, plain, x


def read_metadata(root: etree._Element) -> Metadata:
    if not x(root, "t:teiHeader"):
        raise TeiError("no teiHeader")
    fd = "t:teiHeader/t:fileDesc"
    ts, ps, mo = f"{fd}/t:titleStmt", f"{fd}/t:publicationStmt", f"{fd}/t:sourceDesc//t:monogr"
    tc = "t:teiHeader/t:profileDesc/t:textClass"
    licence = x(root, f"{ps}/t:availability/t:licence")

    def when_or_text(path: str) -> str:
        found = x(root, path)
        return (found[0].get("when") or plain(found[0])) if found else ""

    return Metadata(
        title=first_text(root, f"{ts}/t:title[@type='main']") or first_text(root, f"{ts}/t:title"),
        subtitle=first_text(root, f"{ts}/t:title[@type='sub']"),
        authors=tuple(plain(a) for a in x(root, f"{ts}/t:author")),
        publisher=first_text(root, f"{ps}/t:publisher") or first_text(root, f"{ps}/t:authority"),
        edition_date=when_or_text(f"{ps}/t:date"),
        edition_id=first_text(root, f"{ps}/t:idno[@type='edition']") or first_text(root, f"{ps}/t:idno"),
        licence=plain(licence[0]) if licence else first_text(root, f"{ps}/t:availability"),
        licence_url=licence[0].get("target", "") if licence else "",
        language=root.get(XML_LANG) or next(iter(x(root, "t:teiHeader//t:langUsage/t:language/@ident")), "zh-Hans"),
        print_title=first_text(root, f"{mo}/t:title[not(@type) or @type='main']") or first_text(root, f"{mo}/t:title"),
        print_publisher=first_text(root, f"{mo}/t:imprint/t:publisher"),
        print_place=first_text(root, f"{mo}/t:imprint/t:pubPlace"),
        print_date=when_or_text(f"{mo}/t:imprint/t:date"),
        isbn=first_text(root, f"{fd}/t:sourceDesc//t:idno[@type='ISBN']"),
        series=first_text(root, f"{mo}/t:title[@type='series']") or first_text(root, f"{fd}/t:sourceDesc//t:series/t:title"),
        clc=first_text(root, f"{tc}/t:classCode[contains(@scheme, 'CLC')]") or first_text(root, f"{tc}/t:classCode"),
        subjects=tuple(plain(t) for t in x(root, f"{tc}/t:keywords/t:term")),
        description=first_text(root, "t:teiHeader/t:profileDesc/t:abstract"),
    )


def read_rules(root: etree._Element) -> dict[str, str]:
    """respStmt id -> what it is responsible for (its <resp>), from titleStmt.

    A correction's @resp points at one of these; the reader wants the words
    ("据目录校正标题"), not the id.
    """
    rules = {}
    for stmt in x(root, "t:teiHeader/t:fileDesc/t:titleStmt/t:respStmt[@xml:id]"):
        rules[stmt.get(XML_ID)] = first_text(stmt, "t:resp")
    return rules
