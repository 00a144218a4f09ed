"""XML-special text in the book (`<`, `&`, `]]>`, `<script>`) is text everywhere:
it never breaks the TEI and never becomes markup in the EPUB's XHTML or the HTML pages.

A tiny book is built once with the real runner (`pipeline.build.build`); the
outputs are read back with lxml.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from pipeline.build import BuildConfig, build
from pipeline.validate import safe_parser, validate

# The strings as they must read after cleaning (spaces beside Chinese are removed, Latin keeps its own).
SPECIAL = ("<script>alert(1)</script>", "A & B", "]]>", "&amp;", "<b>粗</b>", "x < y")
BOOK = """目 录

第一章 标记<b>粗</b>与 A & B\t(1)

第一章 标记<b>粗</b>与 A & B

一、脚本<script>alert(1)</script>

文中有 <script>alert(1)</script> 与 A & B，以及 ]]> 和 &amp; 字样，还有 x < y 的式子。^①

① 注文也有 <script>alert(1)</script> 与 ]]> 及 &amp; 和 x < y。

这一段是正文的最后一段。
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xml-special")
    source = folder / "book.txt"
    source.write_text(BOOK, encoding="utf-8")
    out = folder / "out"
    build(BuildConfig.beside(source, out))
    return out


def text_of(tree: etree._Element) -> str:
    return "".join(tree.itertext())


def scripts_with_alert(tree: etree._Element) -> list[etree._Element]:
    """Any element named script (any namespace) whose code calls alert: the book's text turned into markup."""
    return [el for el in tree.iter() if isinstance(el.tag, str) and etree.QName(el).localname.lower() == "script"
            and "alert" in (el.text or "")]


def elements_named(tree: etree._Element, name: str) -> list[etree._Element]:
    return [el for el in tree.iter() if isinstance(el.tag, str) and etree.QName(el).localname.lower() == name]


def test_tei_is_valid_and_keeps_the_special_strings_as_text(built: Path) -> None:
    tei = built / "book.xml"
    assert validate(tei) == []
    root = etree.parse(str(tei), safe_parser()).getroot()
    text = text_of(root.find("{http://www.tei-c.org/ns/1.0}text"))
    for s in SPECIAL:
        assert s in text, s
    assert not scripts_with_alert(root)
    assert not elements_named(root, "b")


def epub_documents(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith((".xhtml", ".html", ".htm"))}


def test_epub_xhtml_is_well_formed_and_shows_the_special_strings_as_text(built: Path) -> None:
    docs = epub_documents(built / "book.epub")
    assert docs, "the EPUB has no XHTML documents"
    texts = []
    for name, data in docs.items():
        # XHTML must be XML: a stray `<` or `&` from the book would make this raise.
        root = etree.fromstring(data, safe_parser())
        assert not scripts_with_alert(root), name
        assert not elements_named(root, "b"), name
        texts.append(text_of(root))
    whole = "\n".join(texts)
    for s in SPECIAL:
        assert s in whole, s


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def test_html_pages_show_the_special_strings_as_text_never_as_markup(built: Path) -> None:
    pages = html_pages(built / "html" / "book")
    assert pages, "the HTML edition has no pages"
    texts = []
    for page in pages:
        root = html.fromstring(page.read_bytes())
        assert not scripts_with_alert(root), page.name
        assert not elements_named(root, "b"), page.name
        # lxml's HTML parser also keeps a text node for `<script>` written as text; the source must escape it.
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in raw, page.name
        texts.append(text_of(root))
    whole = "\n".join(texts)
    for s in SPECIAL:
        assert s in whole, s
