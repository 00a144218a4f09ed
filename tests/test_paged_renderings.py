"""Page breaks wherever the schema allows them, rendered by the EPUB and the HTML edition.

A TEI built from a PDF knows its pages exactly, so it has <pb n="…"/> between
front-matter parts, inside the contents list, inside the imprint, before the
body's head and before divs, not only inside and between paragraphs.  Each of
them must be rendered once, where the page it opens starts, and the EPUB
page-list and the HTML margin numbers must reach it.

Three editions are checked: input/book.txt typeset as a PDF by tests/pdfgen.py
and built by the real pipeline; tests/fixtures/paged.xml (a pb in every place
the schema allows one, edge cases included); and the same fixture with the
body's divs taken out (a book without chapters: the body is paragraphs only).
"""
from __future__ import annotations

import posixpath
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from browser_helpers import launch_chromium
from epub_helpers import assert_epubcheck_clean
from lxml import etree
from lxml import html as lxml_html
from pdfgen import generate

from pipeline.epub import render_epub
from pipeline.html import render_html
from pipeline.teiview import read_tei

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "paged.xml"
T = {"t": "http://www.tei-c.org/ns/1.0"}
X = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
     "opf": "http://www.idpf.org/2007/opf"}
EDITIONS = ["pdf", "fixture", "no-chapters"]


# ---------------------------------------------------------------- the editions

@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Path]]:
    """name -> (TEI, EPUB, HTML site) for each edition under test."""
    from pipeline.build import BuildConfig, build

    out = tmp_path_factory.mktemp("paged")
    src = out / "src"
    src.mkdir()
    generate(ROOT / "input" / "book.txt", src / "book.pdf")
    for f in [*(ROOT / "input").glob("*.toml"), *(ROOT / "input").glob("*.tsv")]:
        shutil.copy(f, src)
    found = {}
    with pytest.MonkeyPatch.context() as mp:  # not leaked into other modules' tests
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        result = build(BuildConfig.beside(src / "book.pdf", out / "pdf"))
        assert result.tei_path.is_file()
        found["pdf"] = (result.tei_path, out / "pdf" / "book.epub", out / "pdf" / "html" / "book")
        tree = etree.parse(str(FIXTURE))
        for name, edit in (("fixture", None), ("no-chapters", "//t:body/t:div")):
            if edit:
                for div in tree.xpath(edit, namespaces=T):
                    div.getparent().remove(div)
            folder = out / name
            folder.mkdir()
            tei = folder / "paged.xml"
            tree.write(str(tei), encoding="UTF-8", xml_declaration=True)
            render_epub(tei, folder / "paged.epub")
            render_html(tei, folder / "html")
            found[name] = (tei, folder / "paged.epub", folder / "html")
    return found


def printed(tei: Path) -> list[str]:
    """The printed page numbers of the TEI, in document order."""
    return [str(n) for n in etree.parse(str(tei)).xpath("//t:text//t:pb/@n", namespaces=T)]


def epub_docs(epub: Path) -> tuple[list[str], dict[str, etree._Element]]:
    """Spine order (file names under OEBPS/) and every XHTML file parsed."""
    with zipfile.ZipFile(epub) as zf:
        opf = etree.fromstring(zf.read("OEBPS/content.opf"))
        hrefs = {i.get("id"): i.get("href") for i in opf.xpath("//opf:manifest/opf:item", namespaces=X)}
        spine = [hrefs[r.get("idref")] for r in opf.xpath("//opf:spine/opf:itemref", namespaces=X)]
        docs = {n[len("OEBPS/"):]: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xhtml")}
    return spine, docs


def page_list(docs: dict[str, etree._Element]) -> list[tuple[str, str]]:
    return [(a.text, a.get("href")) for a in docs["nav.xhtml"].xpath(
        "//x:nav[@epub:type='page-list']//x:a", namespaces=X)]


def html_pages(site: Path) -> dict[str, lxml_html.HtmlElement]:
    return {p.name: lxml_html.parse(str(p)).getroot() for p in sorted(site.glob("*.html"))}


# ---------------------------------------------------------------- EPUB

@pytest.mark.slow
@pytest.mark.parametrize("name", EDITIONS)
def test_epubcheck_finds_no_errors_and_no_warnings(editions, name: str, tmp_path: Path) -> None:
    assert_epubcheck_clean(editions[name][1], tmp_path)


@pytest.mark.parametrize("name", EDITIONS)
def test_page_list_has_every_printed_page_in_reading_order(editions, name: str) -> None:
    tei, epub, _ = editions[name]
    spine, docs = epub_docs(epub)
    entries = page_list(docs)
    assert [text for text, _ in entries] == printed(tei) and entries
    positions = []
    for text, href in entries:
        file, _, frag = href.partition("#")
        assert file in docs, f"page {text}: {file} is not in the package"
        [target] = docs[file].xpath("//*[@id=$i]", i=frag)
        assert target.get("aria-label") == text and target.get("role") == "doc-pagebreak", href
        order = list(docs[file].iter()).index(target)
        positions.append((spine.index(file), order))
    assert positions == sorted(positions), "the page-list follows the reading order"
    assert len({href for _, href in entries}) == len(entries)


# Where each page of the fixture starts: the file and the first text after its anchor.
FIXTURE_PAGES = {
    "i": ("titlepage-1.xhtml", "index.html", "样书：核不扩散"),
    "ii": ("titlepage-2.xhtml", "index.html", "样书：核不扩散"),
    "iii": ("titlepage-2.xhtml", "index.html", "样书：核不扩散"),
    "iv": ("imprint.xhtml", "index.html", "图书在版编目"),
    "v": ("imprint.xhtml", "index.html", "书名"),
    "vi": ("preface.xhtml", "preface.html", "前　　言"),  # last in the imprint: the preface opens the page
    "vii": ("preface.xhtml", "preface.html", "前言第二段"),
    "viii": ("preface.xhtml", "preface.html", "在下一页继续。"),
    "ix": ("contents.xhtml", "index.html", "目录"),
    "x": ("contents.xhtml", "index.html", "前言"),
    "xi": ("contents.xhtml", "index.html", "第一章"),
    "xii": ("body-head.xhtml", "ch1.html", "样书正文"),  # last in the list, then last in front
    "xiii": ("body-head.xhtml", "ch1.html", "样书正文"),
    "1": ("body-head.xhtml", "ch1.html", "样书正文"),
    "2": ("body-head.xhtml", "ch1.html", "跨页。"),
    "3": ("body-head.xhtml", "ch1.html", "又一段。"),
    "4": ("ch1.xhtml", "ch1.html", "第一章"),
    "5": ("ch1.xhtml", "ch1.html", "二、"),  # between sections: the next one opens the page
    "6": ("ch1.xhtml", "ch1.html", "二、"),
    "7": ("back1.xhtml", "back1.html", "后记"),
}
# Text of the page anchors themselves (HTML margin numbers) is not reading text.
NEXT_TEXT = "following::text()[normalize-space()][not(ancestor::*[contains(concat(' ', @class, ' '), ' pb ')])][1]"
PREVIOUS_TEXT = ("preceding::text()[normalize-space()]"
                 "[not(ancestor::*[contains(concat(' ', @class, ' '), ' pb ')])][1]")


def test_each_page_of_the_fixture_opens_where_it_starts_in_the_epub(editions) -> None:
    _, epub, _ = editions["fixture"]
    _, docs = epub_docs(epub)
    where = {text: href for text, href in page_list(docs)}
    for n, (file, _, first) in FIXTURE_PAGES.items():
        href_file, _, frag = where[n].partition("#")
        assert href_file == file, n
        [anchor] = docs[file].xpath("//*[@id=$i]", i=frag)
        assert anchor.xpath(NEXT_TEXT)[0].strip().startswith(first), n
    # The last pb of the text closes the afterword: after its last line, nothing follows.
    [last] = docs["back1.xhtml"].xpath("//*[@id=$i]", i=where["8"].partition("#")[2])
    assert last.xpath(PREVIOUS_TEXT)[0] == "后记正文。" and not last.xpath(NEXT_TEXT)


# ---------------------------------------------------------------- HTML

@pytest.mark.parametrize("name", EDITIONS)
def test_html_shows_every_printed_page_number_once(editions, name: str) -> None:
    tei, _, site = editions[name]
    shown = [e.text_content() for page in html_pages(site).values() for e in page.find_class("pb-n")]
    assert Counter(shown) == Counter(printed(tei)) and shown
    for page_name, page in html_pages(site).items():
        ids = [e.get("id") for e in page.iter() if isinstance(e.tag, str) and e.get("id")]
        assert len(ids) == len(set(ids)), f"{page_name} repeats an id"


@pytest.mark.parametrize("name", EDITIONS)
def test_every_link_of_the_html_edition_resolves(editions, name: str) -> None:
    _, _, site = editions[name]
    pages = html_pages(site)
    ids = {n: {e.get("id") for e in p.iter() if isinstance(e.tag, str) and e.get("id")} for n, p in pages.items()}
    checked = 0
    for page_name, page in pages.items():
        for a in page.xpath("//a[@href]"):
            href = a.get("href")
            if ":" in href.split("#")[0]:
                continue  # wikidata and the like
            file, _, frag = href.partition("#")
            file = posixpath.normpath(file) if file else page_name
            assert (site / file).exists(), f"{page_name}: {href}"
            if frag and file.endswith(".html"):
                assert frag in ids[file], f"{page_name}: {href}"
                checked += 1
    assert checked


def test_each_page_of_the_fixture_opens_where_it_starts_in_the_html(editions) -> None:
    _, _, site = editions["fixture"]
    pages = html_pages(site)
    anchors = {e.text_content(): (n, e.getparent()) for n, p in pages.items() for e in p.find_class("pb-n")}
    for n, (_, file, first) in FIXTURE_PAGES.items():
        page_name, anchor = anchors[n]
        assert page_name == file, n
        assert anchor.xpath(NEXT_TEXT)[0].strip().startswith(first), n
    page_name, last = anchors["8"]
    assert page_name == "back1.html" and last.xpath(PREVIOUS_TEXT)[0] == "后记正文。"


def test_a_book_without_chapters_shows_its_body_text(editions) -> None:
    tei, epub, site = editions["no-chapters"]
    _, docs = epub_docs(epub)
    body = "".join(docs["body-head.xhtml"].itertext())
    assert "正文之前的一段" in body and "又一段。" in body
    page = html_pages(site)["text-body.html"]
    assert "又一段。" in page.text_content()
    assert read_tei(tei).body == [] and len(read_tei(tei).body_blocks) == 3  # p, the pb between, p


# ---------------------------------------------------------------- the view model

def test_teiview_puts_each_break_in_the_part_it_opens() -> None:
    ed = read_tei(FIXTURE)
    parts = {p.n: p.loc.part for p in ed.pages}
    assert parts == {
        "i": "titlepage-1", "ii": "titlepage-2", "iii": "titlepage-2", "iv": "imprint", "v": "imprint",
        "vi": "preface", "vii": "preface", "viii": "preface", "ix": "contents", "x": "contents",
        "xi": "contents", "xii": "body-head", "xiii": "body-head", "1": "body-head", "2": "body-head",
        "3": "body-head", "4": "ch1", "5": "ch1", "6": "ch1", "7": "back1", "8": "back1"}
    assert {p.anchor: ed.part_of[p.anchor] for p in ed.pages} == {p.anchor: p.loc.part for p in ed.pages}
    assert [p.n for p in ed.pages if p.loc.div == "ch1-s2"] == ["5", "6"]
    assert 'aria-label="ii"' in ed.title_pages[1].lead and 'aria-label="iii"' in ed.title_pages[1].lead
    assert ed.contents is not None and 'aria-label="ix"' in ed.contents.lead
    assert [bool(e.lead) for e in ed.contents.entries] == [True, True]
    assert [bool(line.lead) for line in ed.imprint] == [True, True]
    assert ed.body_head is not None and ed.body_head.lead.count("doc-pagebreak") == 3


# ---------------------------------------------------------------- in a browser

@pytest.mark.slow
@pytest.mark.browser
def test_a_margin_page_number_between_contents_lines_is_visible(editions) -> None:
    from playwright.sync_api import sync_playwright

    site = editions["pdf"][2]
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((site / "index.html").as_uri())
            number = page.locator(".toc li .pb-n").first
            assert number.is_visible() and number.text_content() == "ii"
            box, line = number.bounding_box(), page.locator(".toc li .toc-title").first.bounding_box()
            assert box is not None and line is not None and box["x"] + box["width"] <= line["x"]  # in the margin
        finally:
            browser.close()
