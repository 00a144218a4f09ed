"""Safe parsing and small readers over the TEI tree (no view model here)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

TEI = "http://www.tei-c.org/ns/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
NAME_TAGS = {"persName": "person", "placeName": "place", "orgName": "org", "title": "work"}
ENTITY_TAGS = {"person": "person", "place": "place", "org": "org", "bibl": "work"}
# What the reading text leaves out: notes, and the readings a <choice> replaces.
NOT_READ = ("note", "sic", "orig", "abbr")


class TeiError(ValueError):
    """The file is not a TEI edition this module can read safely."""


def parse_safely(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as e:
        raise TeiError(f"{path}: not well-formed XML: {e}") from e
    dtd = tree.docinfo.internalDTD
    if dtd is not None and list(dtd.entities()):
        raise TeiError(f"{path}: a DOCTYPE declaring entities is not accepted")
    if tree.getroot().tag != f"{{{TEI}}}TEI":
        raise TeiError(f"{path}: root element is not TEI")
    return tree


def local(el: etree._Element) -> str:
    # Sliced, not etree.QName(el).localname: called for every element, and 3× faster.
    tag = el.tag
    return tag[tag.find("}") + 1:] if isinstance(tag, str) else ""


def plain(el: etree._Element | None) -> str:
    """Reading text: corr over sic, no notes, whitespace collapsed."""
    if el is None:
        return ""
    out: list[str] = []

    def walk(e: etree._Element) -> None:
        out.append(e.text or "")
        for c in e:
            if local(c) not in NOT_READ and isinstance(c.tag, str):
                walk(c)
            out.append(c.tail or "")
    walk(el)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def plain_without(el: etree._Element, *tags: str) -> str:
    """Reading text of `el` with every element named in `tags` left out (tails kept)."""
    clone = etree.fromstring(etree.tostring(el))
    for c in list(clone.iter(*(f"{{{TEI}}}{t}" for t in tags))):
        _drop_keep_tail(c)
    return plain(clone)


def _drop_keep_tail(el: etree._Element) -> None:
    parent, prev = el.getparent(), el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + (el.tail or "")
    else:
        parent.text = (parent.text or "") + (el.tail or "")
    parent.remove(el)


def x(el: etree._Element, path: str) -> list[etree._Element]:
    return compiled(path)(el)


@lru_cache(maxsize=256)
def compiled(path: str) -> etree.XPath:
    """Each path compiled once: el.xpath() compiles it again on every call."""
    return etree.XPath(path, namespaces={"t": TEI})


def first_text(el: etree._Element, path: str) -> str:
    found = x(el, path)
    return plain(found[0]) if found else ""


def tidy_heading(text: str) -> str:
    """Undo print letter-spacing (前　　言 -> 前言) but keep real word gaps (第一章 绪论)."""
    words = text.split()
    return "".join(words) if words and all(len(w) == 1 for w in words) else " ".join(words)


def sort_key(s: str) -> tuple[str, str]:
    """Pinyin order for Chinese, then the string itself to break ties."""
    from ..cache import pinyin_key

    return (pinyin_key(s), s)
