"""Anyone's TEI of the same shape renders like ours: nothing hangs on our choice of xml:ids.

The book's own TEI (built once by conftest's `book_build`) is rewritten with lxml
the way another project could have encoded it: the 目录 div is `xml:id="toc"`,
the imprint `colophon`, the preface and chapter 1 carry the names of the HTML
edition's own pages (`index`, `corrections`), a second imprint div without an id
follows the first, and the back holds divs whose ids are file names the
renderers use or make (`text-body`, `text-index`, `Nav`).  A second variant also
moves the chapter to the back, so that the body's opening text gets the HTML
page of its own (`text-body.html`), and links the 目录 to the colophon and to
the `text-body` div.

Both must stay valid against the project schema, render their 目录 and imprint
as the book does, give every part a file of its own, keep every link working,
and make an EPUB that epubcheck passes.

Two more variants: `second-contents` adds a 目录 of the appendices (head,
paragraphs, a page break, a footnote) and a list of figures without head or
page numbers after the book's 目录, and appendix divs for them to point at:
nothing of them may be lost, and the book's 目录 keeps its place.  `frame-ids`
gives TEI elements the ids of the HTML page frame (`main`, `note-popover`,
`toggle-sic`, ...) and of the EPUB 目录's heading (`toc-h`): ids stay unique on
every page, links land on the TEI's elements, and the switches, the note
popover and the skip link still work in a browser.
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

from pipeline.epub import render_epub
from pipeline.html import render_html
from pipeline.validate import validate

T = "http://www.tei-c.org/ns/1.0"
TN = {"t": T}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
X = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
     "opf": "http://www.idpf.org/2007/opf", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}

RENAMED = {"contents": "toc", "imprint": "colophon", "preface": "index", "ch1": "corrections"}
ADDED = {"text-body": "附录一", "text-index": "附录二", "Nav": "附录三"}  # back divs: xml:id -> head
SECOND_IMPRINT = ("印数", "1—3000册")
OPENING = "正文之前的一段文字。"
EXTRA_TOC = {"foreign": (), "no-chapters": ("版权页", "附录一")}  # the 目录 items a variant adds
VARIANTS = ["foreign", "no-chapters"]
CIP = "图书在版编目（CIP）数据"
# The files the renderers make for themselves; no division may land in one.
OWN_EPUB = {"cover.xhtml", "nav.xhtml", "indexes.xhtml", "corrections.xhtml"}
OWN_HTML = {"index.html", "persons.html", "places.html", "orgs.html", "works.html", "timeline.html",
            "corrections.html", "search.html", "text-body.html"}
# The second-contents variant: appendix divs (xml:id -> head) and two more contents divs.
APPENDICES = {"app1": "美国防扩散安全倡议概述", "app2": "联合国安理会第1540号决议"}
APPENDIX_TOC = {"id": "appendix-toc", "head": "附录目录", "before": "附录按原书顺序排列。",
                "after": "以上附录均据原书收录。", "note": "附录目录的注。", "seg": "后记", "page": "xiv"}
FIGURES = ("图一　核武器国家分布", "图二　防扩散机制")  # a list without head or printed pages
# The frame-ids variant: TEI ids renamed to the ids of the HTML frame and the EPUB 目录 heading.
FRAME_RENAMED = {"contents": "toc", "ch1-s1": "main", "fn-p008-1": "note-popover", "corr-163-1": "toggle-sic",
                 "teng-jianqun": "letter-B"}
FRAME_PBS = {"notes-heading": "ch1", "search": "preface", "toggle-entities": "preface"}  # pb id -> div it is in
ALL = ["book", *VARIANTS, "made-up-names", "second-contents", "frame-ids"]


# ---------------------------------------------------------------- the foreign TEI

def tei(tag: str, text: str = "", **attrs: str) -> etree._Element:
    el = etree.Element(f"{{{T}}}{tag}", {k.replace("xml_id", XML_ID): v for k, v in attrs.items()})
    el.text = text or None
    return el


def child(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    el = tei(tag, text, **attrs)
    parent.append(el)
    return el


def rename_ids(root: etree._Element, renamed: dict[str, str]) -> None:
    """Rename xml:ids and every pointer (#id) to them, in any attribute."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get(XML_ID) in renamed:
            el.set(XML_ID, renamed[el.get(XML_ID)])
        for name, value in list(el.attrib.items()):
            tokens = value.split()
            if any(t[:1] == "#" and t[1:] in renamed for t in tokens):
                el.set(name, " ".join(f"#{renamed[t[1:]]}" if t[:1] == "#" and t[1:] in renamed else t
                                      for t in tokens))


def add_second_imprint(root: etree._Element) -> None:
    """A colophon-like div after the first imprint div, without an xml:id."""
    first = root.xpath("//t:front/t:div[@type='imprint']", namespaces=TN)[0]
    div = tei("div", type="imprint")
    ab = child(div, "ab", type="colophon")
    label = child(ab, "label", SECOND_IMPRINT[0])
    label.tail = " " + SECOND_IMPRINT[1]
    first.addnext(div)


def back_matter(root: etree._Element) -> etree._Element:
    text = root.find("t:text", TN)
    back = text.find("t:back", TN)
    return back if back is not None else child(text, "back")


def add_back_divs(root: etree._Element) -> None:
    back = back_matter(root)
    for div_id, head in ADDED.items():
        div = child(back, "div", type="appendix", xml_id=div_id)
        child(div, "head", head)
        p = child(div, "p", f"{head}的正文。")
        if div_id == "text-body":  # a footnote: its link must stay in the div's own file
            note = child(p, "note", place="foot", n="①", xml_id="fn-appendix-1")
            child(note, "p", "附录的注。")


def move_chapters_to_back(root: etree._Element) -> None:
    """A body without divs: its head and a paragraph, the chapters in the back."""
    body = root.find("t:text/t:body", TN)
    back = root.find("t:text/t:back", TN)
    body.find("t:head", TN).addnext(tei("p", OPENING))
    for k, div in enumerate(body.findall("t:div", TN)):
        back.insert(k, div)


def link_toc_to(root: etree._Element, targets: dict[str, str]) -> None:
    """目录 items (at the top of the list) pointing at whole parts: target id -> title."""
    toc_list = root.xpath("//t:div[@type='contents']/t:list", namespaces=TN)[0]
    for k, (target, title) in enumerate(targets.items()):
        item = tei("item", n="1")
        child(item, "ref", title, target=f"#{target}")
        child(item, "num", "ii", type="page")
        toc_list.insert(k, item)


def use_made_up_names(root: etree._Element) -> None:
    """Ids that the reader makes up for things without one: a part key, page and name anchors, a div's id."""
    pages = root.xpath("//t:front/t:titlePage", namespaces=TN)
    pages[1].set("n", pages[0].get("n"))  # two title pages numbered alike
    dedication = tei("div", type="dedication", xml_id="body-head")
    child(dedication, "head", "献辞")
    child(dedication, "p", "献给读者。")
    root.xpath("//t:front/t:div[@type='preface']", namespaces=TN)[0].addprevious(dedication)
    # The first name's anchor is taken, in the same file.
    root.xpath("//t:div[@type='preface']/t:p", namespaces=TN)[0].insert(0, tei("pb", xml_id="nm-1"))
    chapter = root.xpath("//t:body/t:div", namespaces=TN)[0]
    section = tei("div", type="section")  # no xml:id, so the reader names it after its place
    chapter.append(section)
    child(section, "head", "无编号的一节")
    p = child(section, "p", "一段。")
    p.append(tei("pb", xml_id=f"{chapter.get(XML_ID)}-{chapter.index(section)}"))
    p.append(tei("pb", xml_id="pb-2"))  # the last page break has the id the second would get
    # Ids the HTML edition gives its own headings, on the same pages.
    p.append(tei("pb", xml_id=f"{chapter.get(XML_ID)}-head"))
    root.xpath("//t:div[@type='imprint']", namespaces=TN)[0].insert(0, tei("pb", xml_id="imprint-heading"))
    root.xpath("//t:div[@type='contents']/t:list", namespaces=TN)[0].insert(0, tei("pb", xml_id="toc-heading"))


def add_more_contents(root: etree._Element) -> None:
    """After the 目录: a 目录 of the appendices and a list of figures, both contents divs; the 目录 links to the first."""
    back = back_matter(root)
    for div_id, head in APPENDICES.items():
        div = child(back, "div", type="appendix", xml_id=div_id)
        child(div, "head", head)
        child(div, "p", f"{head}的正文。")
    toc = tei("div", type="contents", xml_id=APPENDIX_TOC["id"])
    child(toc, "head", APPENDIX_TOC["head"])
    intro = child(toc, "p", APPENDIX_TOC["before"])
    note = child(intro, "note", place="foot", n="①", xml_id="fn-appendix-toc-1")
    child(note, "p", APPENDIX_TOC["note"])
    entries = child(toc, "list", type="toc")
    for k, (div_id, head) in enumerate(APPENDICES.items(), 1):
        if k == 2:
            child(entries, "pb", n=APPENDIX_TOC["page"])  # the list runs over a printed page
        item = child(entries, "item", n="1")
        child(item, "label", f"附录{'一二'[k - 1]}")
        child(item, "ref", head, target=f"#{div_id}")
        child(item, "num", str(140 + k), type="page")
    item = child(entries, "item", n="1")
    child(item, "seg", APPENDIX_TOC["seg"])
    child(item, "num", "177", type="page")
    child(toc, "p", APPENDIX_TOC["after"])
    figures = tei("div", type="contents")
    figure_list = child(figures, "list", type="toc")
    for title in FIGURES:
        item = child(figure_list, "item", n="1")
        child(item, "seg", title)
        child(item, "num", "", type="page")
    first = root.xpath("//t:front/t:div[@type='contents']", namespaces=TN)[0]
    first.addnext(toc)
    toc.addnext(figures)
    link_toc_to(root, {APPENDIX_TOC["id"]: APPENDIX_TOC["head"]})


def use_frame_ids(root: etree._Element) -> None:
    """Ids the renderers use for the page frame and the 目录's heading, on elements of the text."""
    rename_ids(root, FRAME_RENAMED)
    for pb_id, div_id in FRAME_PBS.items():
        root.xpath("//t:div[@xml:id=$d]//t:p", namespaces=TN, d=div_id)[0].insert(0, tei("pb", xml_id=pb_id))
    root.xpath("//t:div[@type='imprint']", namespaces=TN)[0].insert(0, tei("pb", xml_id="downloads-heading"))
    toc_list = root.xpath("//t:div[@type='contents']/t:list", namespaces=TN)[0]
    toc_list.insert(0, tei("pb", xml_id=f"{FRAME_RENAMED['contents']}-h"))  # the EPUB 目录's heading id


def foreign_tei(source: Path, variant: str) -> etree._ElementTree:
    tree = etree.parse(str(source))
    root = tree.getroot()
    if variant == "made-up-names":
        use_made_up_names(root)
        return tree
    if variant == "second-contents":
        add_more_contents(root)
        return tree
    if variant == "frame-ids":
        use_frame_ids(root)
        return tree
    rename_ids(root, RENAMED)
    add_second_imprint(root)
    add_back_divs(root)
    if variant == "no-chapters":
        move_chapters_to_back(root)
        link_toc_to(root, {"colophon": EXTRA_TOC[variant][0], "text-body": EXTRA_TOC[variant][1]})
    return tree


@pytest.fixture(scope="module")
def editions(book_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Path]]:
    """name -> (TEI, EPUB, HTML site): the book as built, and each foreign variant."""
    out = tmp_path_factory.mktemp("foreign")
    found = {}
    with pytest.MonkeyPatch.context() as mp:  # not leaked into other modules' tests
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name in ALL:
            folder = out / name
            folder.mkdir()
            tei_path = folder / "book.xml"
            if name == "book":
                shutil.copyfile(book_build / "book.xml", tei_path)
            else:
                foreign_tei(book_build / "book.xml", name).write(str(tei_path), encoding="UTF-8",
                                                                 xml_declaration=True)
            render_epub(tei_path, folder / "book.epub")
            render_html(tei_path, folder / "html")
            found[name] = (tei_path, folder / "book.epub", folder / "html")
    return found


# ---------------------------------------------------------------- reading the outputs

def epub_docs(epub: Path) -> dict[str, etree._Element]:
    """Every XML file under OEBPS/, parsed, by its path there."""
    with zipfile.ZipFile(epub) as zf:
        return {n[len("OEBPS/"):]: etree.fromstring(zf.read(n)) for n in zf.namelist()
                if n.startswith("OEBPS/") and n.endswith((".xhtml", ".opf", ".ncx"))}


def html_pages(site: Path) -> dict[str, lxml_html.HtmlElement]:
    return {p.name: lxml_html.parse(str(p)).getroot() for p in sorted(site.glob("*.html"))}


def ids_of(root: etree._Element) -> list[str]:
    return [e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")]


def squeeze(text: str) -> str:
    return "".join(text.split())


def first_heading(el: etree._Element) -> str:
    """The text of the first heading at or inside `el` (XHTML or HTML)."""
    found = el.xpath("descendant-or-self::*[local-name()='h1' or local-name()='h2' or local-name()='h3'"
                     " or local-name()='h4' or local-name()='h5' or local-name()='h6'][1]")
    return squeeze("".join(found[0].itertext())) if found else ""


def landing(docs: dict, href: str, here: str) -> str:
    """Where a link lands, as the heading a reader sees there."""
    file, _, frag = href.partition("#")
    root = docs[posixpath.normpath(file) if file else here]
    if not frag:
        return first_heading(root.xpath("//*[local-name()='main' or local-name()='body']")[0])
    return first_heading(root.xpath("//*[@id=$i]", i=frag)[0])


def epub_file(docs: dict[str, etree._Element], landmark: str) -> str:
    [href] = docs["nav.xhtml"].xpath(f"//x:nav[@epub:type='landmarks']//x:a[@epub:type='{landmark}']/@href",
                                     namespaces=X)
    return href.partition("#")[0]


def epub_toc(docs: dict[str, etree._Element]) -> list[tuple[str, str]]:
    """The printed 目录 of the EPUB: (entry, where its link lands) per item."""
    file = epub_file(docs, "toc")
    return [(squeeze("".join(li.xpath("x:a|x:span[not(@class='pb')]", namespaces=X)[0].itertext())),
             landing(docs, li.xpath("x:a/@href", namespaces=X)[0], file) if li.xpath("x:a", namespaces=X) else "")
            for li in docs[file].xpath("//x:section[@class='contents']//x:li", namespaces=X)]


def nav_points(docs: dict[str, etree._Element]) -> list[tuple[str, str]]:
    """The EPUB navigation: (entry, where it lands) per point."""
    return [(squeeze(a.text), landing(docs, a.get("href"), "nav.xhtml"))
            for a in docs["nav.xhtml"].xpath("//x:nav[@epub:type='toc']//x:a", namespaces=X)]


def html_toc(pages: dict[str, lxml_html.HtmlElement]) -> list[tuple[str, str]]:
    entries = []
    for li in pages["index.html"].xpath("//nav[@class='toc']//li"):
        link = li.xpath(".//span[@class='toc-title']/a/@href")
        title = squeeze(li.xpath(".//span[@class='toc-title']")[0].text_content())
        entries.append((title, landing(pages, link[0], "index.html") if link else ""))
    return entries


def imprint_sections(docs: dict[str, etree._Element]) -> dict[str, str]:
    """EPUB file -> the text of its imprint section."""
    return {name: squeeze("".join(s.itertext())) for name, root in docs.items()
            for s in root.xpath("//x:section[@epub:type='copyright-page']", namespaces=X)}


def without_added(entries: list[tuple[str, str]], extra: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The entries the book has too: those of the added divs (and `extra` ones) left out."""
    added = {*ADDED.values(), *extra}
    return [e for e in entries if e[0] not in added]


# ---------------------------------------------------------------- the TEI

@pytest.mark.parametrize("variant", VARIANTS)
def test_the_rewritten_tei_is_valid_and_uses_the_foreign_ids(editions, variant: str) -> None:
    tei_path = editions[variant][0]
    assert validate(tei_path) == []
    root = etree.parse(str(tei_path)).getroot()
    ids = set(root.xpath("//@xml:id"))
    assert {"toc", "colophon", "index", "corrections", *ADDED} <= ids
    assert not {"contents", "imprint", "preface", "ch1"} & ids
    assert len(root.xpath("//t:front/t:div[@type='imprint']", namespaces=TN)) == 2


# ---------------------------------------------------------------- renders like the book

@pytest.mark.parametrize("variant", VARIANTS)
def test_the_contents_render_as_for_the_book(editions, variant: str) -> None:
    book, foreign = epub_docs(editions["book"][1]), epub_docs(editions[variant][1])
    # Entry by entry, and each link lands on the same heading as in the book.
    assert without_added(epub_toc(foreign), EXTRA_TOC[variant]) == epub_toc(book)
    assert len(epub_toc(foreign)) == len(epub_toc(book)) + len(EXTRA_TOC[variant])
    book_pages, foreign_pages = html_pages(editions["book"][2]), html_pages(editions[variant][2])
    assert without_added(html_toc(foreign_pages), EXTRA_TOC[variant]) == html_toc(book_pages)
    assert len(html_toc(foreign_pages)) == len(html_toc(book_pages)) + len(EXTRA_TOC[variant])
    assert html_toc(book_pages) and all(where for _, where in html_toc(book_pages)[:3])
    # The EPUB's own navigation: the same entries, the added back divs aside.
    assert without_added(nav_points(foreign)) == nav_points(book)
    landmarks = "//x:nav[@epub:type='landmarks']//x:a/@epub:type"
    assert foreign["nav.xhtml"].xpath(landmarks, namespaces=X) == book["nav.xhtml"].xpath(landmarks, namespaces=X)


def test_contents_links_to_whole_parts_land_on_them(editions) -> None:
    docs, pages = epub_docs(editions["no-chapters"][1]), html_pages(editions["no-chapters"][2])
    assert dict(epub_toc(docs))["附录一"] == "附录一"
    [href] = docs[epub_file(docs, "toc")].xpath("//x:a[.='版权页']/@href", namespaces=X)
    assert href == "colophon.xhtml#colophon"  # the imprint page itself (it has no heading)
    toc = dict(html_toc(pages))
    assert toc["版权页"] == "版权页" and toc["附录一"] == "附录一"


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_imprint_div_renders_as_the_book_imprint_does(editions, variant: str) -> None:
    book, foreign = imprint_sections(epub_docs(editions["book"][1])), imprint_sections(epub_docs(editions[variant][1]))
    assert list(book) == ["imprint.xhtml"] and len(foreign) == 2
    first, second = foreign.values()
    assert first == book["imprint.xhtml"] and CIP in first
    assert second == squeeze("".join(SECOND_IMPRINT))
    home = html_pages(editions[variant][2])["index.html"]
    book_home = html_pages(editions["book"][2])["index.html"]
    sections = [squeeze(s.text_content()) for s in home.xpath("//section[@class='imprint']")]
    [book_section] = [squeeze(s.text_content()) for s in book_home.xpath("//section[@class='imprint']")]
    assert sections == [book_section, "版权页" + squeeze("".join(SECOND_IMPRINT))] and CIP in sections[0]


# ---------------------------------------------------------------- a file of its own

def top_divs(tei_path: Path) -> list[str]:
    """The xml:ids of the top-level divs that get a page or file of their own."""
    return etree.parse(str(tei_path)).xpath(
        "//t:text/*/t:div[not(@type='imprint') and not(@type='contents')]/@xml:id", namespaces=TN)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_part_has_an_epub_file_of_its_own(editions, variant: str) -> None:
    tei_path, epub, _ = editions[variant]
    with zipfile.ZipFile(epub) as zf:
        names = zf.namelist()
    assert len({n.casefold() for n in names}) == len(names)  # even where case is folded
    docs = epub_docs(epub)
    files = {}
    for div_id in [*top_divs(tei_path), "toc", "colophon"]:
        # Our own files may use the same id (nav.xhtml's <nav id="toc">): each is a file apart.
        [files[div_id]] = [name for name, root in docs.items() if div_id in ids_of(root) and name not in OWN_EPUB]
    assert len(set(files.values())) == len(files), files
    # ... and each of ours still holds what it should, not a division.
    assert docs["corrections.xhtml"].xpath("//x:section[@class='corrections']//x:li", namespaces=X)
    assert docs["nav.xhtml"].xpath("//x:nav[@epub:type='toc']", namespaces=X)
    assert docs["indexes.xhtml"].xpath("//x:section[@class='indexes']", namespaces=X)
    assert docs["cover.xhtml"].xpath("//x:img[@src='cover.svg']", namespaces=X)
    assert len(set(imprint_sections(docs))) == 2
    spine = docs["content.opf"].xpath("//opf:itemref/@idref", namespaces=X)
    assert len(spine) == len(set(spine))


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_division_has_an_html_page_of_its_own(editions, variant: str) -> None:
    tei_path, _, site = editions[variant]
    pages = html_pages(site)
    where = {}
    for div_id in top_divs(tei_path):
        [where[div_id]] = [name for name, page in pages.items() if f"{div_id}-head" in ids_of(page)]
    assert len(set(where.values())) == len(where), where
    assert not set(where.values()) & OWN_HTML, where
    assert squeeze(pages[where["text-body"]].xpath("//main//h1")[0].text_content()) == "附录一"
    assert "fn-appendix-1" in ids_of(pages[where["text-body"]])
    if variant == "no-chapters":  # the body's own text is a page of its own, not the text-body div
        assert OPENING in pages["text-body.html"].text_content()
        assert "附录一" not in pages["text-body.html"].text_content()


@pytest.mark.parametrize("variant", VARIANTS)
def test_prev_and_next_visit_every_text_page_once(editions, variant: str) -> None:
    def chain(site: Path) -> list[str]:
        pages = html_pages(site)
        texts = {n for n, p in pages.items() if p.find("body").get("class") == "page-text"}
        [page] = [n for n in texts if not pages[n].xpath("//a[@rel='prev']")]
        seen = [page]
        while nxt := pages[seen[-1]].xpath("//a[@rel='next']/@href"):
            seen.append(nxt[0])
        assert sorted(seen) == sorted(texts)
        return [first_heading(pages[n].xpath("//main")[0]) for n in seen]

    ours = chain(editions[variant][2])
    if variant == "foreign":
        assert [h for h in ours if h not in ADDED.values()] == chain(editions["book"][2])


def test_names_the_reader_makes_up_yield_to_the_tei_ids(editions) -> None:
    tei_path, epub, site = editions["made-up-names"]
    assert validate(tei_path) == []
    docs = epub_docs(epub)

    def holding(path: str) -> list[str]:
        return [n for n, r in docs.items() if r.xpath(path, namespaces=X)]

    # Two title pages numbered alike are two files; the div with id body-head is not the body's opening.
    [dedication] = holding("//x:section[@id='body-head']/x:h1[.='献辞']")
    [opening] = holding("//x:section[@class='body-head']")
    assert len(holding("//x:section[@epub:type='titlepage']")) == 2
    assert dedication != opening
    # The section without an id is in the navigation, in its chapter's file.
    [point] = [a for a in docs["nav.xhtml"].xpath("//x:a", namespaces=X) if a.text == "无编号的一节"]
    assert point.get("href").startswith("ch1.xhtml#")
    pages = html_pages(site)
    dedication_page = pages["body-head.html"]
    assert "body-head-head" in ids_of(dedication_page) and "献给读者" in dedication_page.text_content()
    # Our own heading ids step aside for the TEI's: each is there once, the page break and the heading.
    home, chapter = ids_of(pages["index.html"]), ids_of(pages["ch1.html"])
    assert {"imprint-heading", "imprint-heading-2", "toc-heading", "toc-heading-2"} <= set(home)
    assert {"ch1-head", "ch1-head-2"} <= set(chapter)


# ---------------------------------------------------------------- more than one contents div

def reading(el: etree._Element, *skip: str) -> str:
    """The squeezed text of a TEI element, the elements named in `skip` left out (their tails kept)."""
    copy = etree.fromstring(etree.tostring(el))
    etree.strip_elements(copy, *(f"{{{T}}}{tag}" for tag in skip), with_tail=False)
    return squeeze("".join(copy.itertext()))


def contents_pieces(div: etree._Element) -> list[str]:
    """What a reader must find of a contents div: head, paragraphs, notes, entries and their pages."""
    pieces = [reading(el, "note") for el in div.xpath("t:head | t:p", namespaces=TN)]
    pieces += [reading(el) for el in div.xpath(".//t:note", namespaces=TN)]
    pieces += [reading(item, "num") for item in div.xpath("t:list/t:item", namespaces=TN)]
    pieces += div.xpath("t:list/t:item/t:num/text()", namespaces=TN)
    return [p for p in pieces if p]


def spine_files(docs: dict[str, etree._Element]) -> list[str]:
    opf = docs["content.opf"]
    hrefs = {i.get("id"): i.get("href") for i in opf.xpath("//opf:item", namespaces=X)}
    return [hrefs[ref] for ref in opf.xpath("//opf:itemref/@idref", namespaces=X)]


def other_contents_links(home: lxml_html.HtmlElement) -> list[tuple[str, str]]:
    """The home page's links to the contents divs after the 目录: (label, page)."""
    return [(a.text_content(), a.get("href")) for a in home.xpath("//nav[@class='toc-more']//a")]


def test_the_second_contents_tei_is_valid(editions) -> None:
    tei_path = editions["second-contents"][0]
    assert validate(tei_path) == []
    assert len(etree.parse(str(tei_path)).xpath("//t:front/t:div[@type='contents']", namespaces=TN)) == 3


def test_every_contents_div_is_in_both_renderings_whole(editions) -> None:
    tei_path, epub, site = editions["second-contents"]
    divs = etree.parse(str(tei_path)).xpath("//t:front/t:div[@type='contents']", namespaces=TN)
    docs = epub_docs(epub)
    # A file each, in the order they are printed in (the 目录 first, as in the book).
    files = [f for f in spine_files(docs) if docs[f].xpath("//x:section[@class='contents']", namespaces=X)]
    assert len(files) == 3 and files[0] == epub_file(docs, "toc") == "contents.xhtml"
    pages = html_pages(site)
    others = [href for _, href in other_contents_links(pages["index.html"])]
    assert len(others) == 2
    for div, file, page in zip(divs, files, ["index.html", *others], strict=True):
        epub_text, html_text = squeeze("".join(docs[file].itertext())), squeeze(pages[page].text_content())
        for piece in contents_pieces(div):
            assert piece in epub_text, (file, piece)
            assert piece in html_text, (page, piece)


def test_the_other_contents_link_and_are_navigable(editions) -> None:
    _, epub, site = editions["second-contents"]
    docs, pages = epub_docs(epub), html_pages(site)
    appendix_toc = f"{APPENDIX_TOC['id']}.xhtml"
    # Each entry with a target lands on its appendix, in the EPUB and in the HTML.
    entries = [(squeeze("".join(a.itertext())), landing(docs, a.get("href"), appendix_toc))
               for a in docs[appendix_toc].xpath("//x:section[@class='contents']//x:li/x:a", namespaces=X)]
    assert entries == [(f"附录{n}{head}", head) for n, head in zip("一二", APPENDICES.values(), strict=True)]
    [page] = [href for label, href in other_contents_links(pages["index.html"]) if label == APPENDIX_TOC["head"]]
    links = [(squeeze(a.text_content()), landing(pages, a.get("href"), page))
             for a in pages[page].xpath("//nav[@class='toc']//span[@class='toc-title']/a")]
    assert links == entries
    # The EPUB's navigation has an entry for each, after the 目录; a headless one is numbered.
    points = nav_points(docs)
    k = points.index(("目录", "目录"))
    assert points[k + 1:k + 3] == [("附录目录", "附录目录"), ("目录（3）", "目录（3）")]
    # The page printed in the list is in the page list, on that list's own page.
    [href] = docs["nav.xhtml"].xpath(f"//x:nav[@epub:type='page-list']//x:a[.='{APPENDIX_TOC['page']}']/@href",
                                     namespaces=X)
    assert href.startswith(appendix_toc + "#")
    assert pages[page].xpath(f"//main//span[@class='pb-n'][.='{APPENDIX_TOC['page']}']")
    # The headless list prints no page numbers: no word about them either.
    headless = spine_files(docs)[spine_files(docs).index(appendix_toc) + 1]
    assert not docs[headless].xpath("//x:p[@class='toc-note']", namespaces=X)
    assert docs[appendix_toc].xpath("//x:p[@class='toc-note']", namespaces=X)


def reading_order(pages: dict[str, lxml_html.HtmlElement]) -> list[str]:
    """The headings of the text pages, following "next" from the first."""
    chain, page = [], "preface.html"
    while page:
        chain.append(first_heading(pages[page].xpath("//main")[0]))
        page = next(iter(pages[page].xpath("//a[@rel='next']/@href")), "")
    return chain


def test_the_book_contents_keeps_its_role_beside_the_others(editions) -> None:
    book, ours = epub_docs(editions["book"][1]), epub_docs(editions["second-contents"][1])
    added = (APPENDIX_TOC["head"], APPENDIX_TOC["head"])  # the 目录's link to the appendices' 目录
    assert epub_toc(ours) == [added, *epub_toc(book)]
    landmarks = "//x:nav[@epub:type='landmarks']//x:a/@href"
    assert ours["nav.xhtml"].xpath(landmarks, namespaces=X) == book["nav.xhtml"].xpath(landmarks, namespaces=X)
    book_pages, pages = html_pages(editions["book"][2]), html_pages(editions["second-contents"][2])
    assert html_toc(pages) == [added, *html_toc(book_pages)]
    assert not other_contents_links(book_pages["index.html"])
    # Reading on from the preface: the other contents pages come where they are printed.
    [preface, *body] = reading_order(book_pages)
    assert reading_order(pages) == [preface, "附录目录", "目录（3）", *body, *APPENDICES.values()]


# ---------------------------------------------------------------- the frame's ids in the TEI


def by_id(root: etree._Element, id_: str) -> etree._Element:
    [el] = root.xpath("//*[@id=$i]", i=id_)
    return el


@pytest.mark.parametrize("name", ALL)
def test_every_label_and_labelledby_names_an_element_of_its_page(editions, name: str) -> None:
    _, epub, site = editions[name]
    roots = [*epub_docs(epub).values(), *html_pages(site).values()]
    for root in roots:
        ids = set(ids_of(root))
        refs = root.xpath("//@aria-labelledby | //@for")
        assert all(r in ids for ref in refs for r in ref.split()), [r for r in refs if r not in ids]


def test_the_tei_keeps_the_frame_ids_and_the_frame_steps_aside(editions) -> None:
    tei_path, epub, site = editions["frame-ids"]
    assert validate(tei_path) == []
    pages = html_pages(site)
    chapter = pages["ch1.html"]
    # The TEI's elements keep their ids ...
    assert first_heading(by_id(chapter, "main")).startswith("一、问题的提出")
    assert by_id(chapter, "note-popover").get("role") == "doc-footnote"
    assert by_id(chapter, "toggle-sic").get("class") == "choice"
    assert by_id(chapter, "notes-heading").get("class").startswith("pb")
    assert by_id(pages["index.html"], "downloads-heading").get("class").startswith("pb")
    assert by_id(pages["persons.html"], "letter-B").get("class") == "index-entry"
    # ... and the frame's own elements take others, which its links and labels follow.
    main = chapter.xpath("//main")[0]
    assert main.get("id") != "main" and chapter.xpath("//a[@class='skip']/@href") == ["#" + main.get("id")]
    [popover] = chapter.xpath("//div[@popover]")
    assert popover.get("id") != "note-popover"
    switches = chapter.xpath("//*[@class='toolbar']//input/@id")
    assert len(switches) == 2 and not {"toggle-sic", "toggle-entities"} & set(switches)
    [notes] = chapter.xpath("//section[@class='notes']")
    assert notes.get("aria-labelledby") != "notes-heading" and first_heading(notes) == "注释"
    [letter] = pages["persons.html"].xpath("//ul[@class='index-letters']//a[.='B']/@href")
    assert letter != "#letter-B" and first_heading(by_id(pages["persons.html"], letter[1:])) == "B"
    # Links into the TEI's ids land on its elements.
    [fix] = pages["corrections.html"].xpath("//tr[@id='list-toggle-sic']//a/@href")
    assert fix == "ch1.html#toggle-sic"
    assert html_toc(pages) == html_toc(html_pages(editions["book"][2]))
    assert chapter.xpath("//a[@class='noteref'][@href='#note-popover']")
    # The EPUB's 目录 heading steps aside for a page break of the 目录 list.
    docs = epub_docs(epub)
    toc = docs[epub_file(docs, "toc")]
    [section] = toc.xpath("//x:section[@class='contents']", namespaces=X)
    assert section.get("id") == "toc" and section.get("aria-labelledby") != "toc-h"
    assert by_id(toc, "toc-h").get("class") == "pb"
    assert epub_toc(docs) == epub_toc(epub_docs(editions["book"][1]))


@pytest.mark.browser
@pytest.mark.slow
def test_the_frame_works_in_a_browser_when_the_tei_uses_its_ids(editions) -> None:
    """Switches, note popover, skip link: edition.js and edition.css find the frame by its markup."""
    from playwright.sync_api import sync_playwright

    site = editions["frame-ids"][2]
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((site / "ch1.html").as_uri())
        sic = page.locator("[id='toggle-sic'] .sic")
        assert not sic.is_visible()
        page.check(".toolbar input[id^='toggle-sic']")
        assert sic.is_visible() and page.evaluate("document.documentElement.classList.contains('show-sic')")
        page.check(".toolbar input[id^='toggle-entities']")
        assert page.evaluate("document.documentElement.classList.contains('show-entities')")
        popover = page.locator("div[popover]")
        page.locator("a.noteref[href='#note-popover']").click()
        assert popover.is_visible()
        assert popover.inner_text().strip().endswith(page.locator("[id='note-popover'] div").inner_text().strip())
        page.keyboard.press("Escape")
        assert not popover.is_visible()
        # A page break with the id "search" is not taken for the search box.
        assert page.evaluate("document.querySelectorAll('script[src*=pagefind]').length") == 0
        page.focus("a.skip")
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#" + page.evaluate("document.querySelector('main').id")
        browser.close()
    assert not errors, errors


# ---------------------------------------------------------------- links

def html_targets(pages: dict[str, lxml_html.HtmlElement]) -> list[tuple[str, str]]:
    return [(name, href) for name, page in pages.items() for href in page.xpath("//a/@href | //link/@href")]


@pytest.mark.parametrize("name", ALL)
def test_every_internal_link_of_the_html_resolves(editions, name: str) -> None:
    site = editions[name][2]
    pages = html_pages(site)
    ids = {n: Counter(ids_of(p)) for n, p in pages.items()}
    for page_name, counts in ids.items():
        assert not [i for i, k in counts.items() if k > 1], f"{page_name} repeats an id"
    checked = 0
    for page_name, href in html_targets(pages):
        file, _, frag = href.partition("#")
        if ":" in file:
            continue  # Wikidata and the like
        file = posixpath.normpath(file) if file else page_name
        assert (site / file).exists(), f"{page_name}: {href}"
        if frag and file.endswith(".html"):
            assert frag in ids[file], f"{page_name}: {href}"
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("name", ALL)
def test_every_internal_link_of_the_epub_resolves(editions, name: str) -> None:
    docs = epub_docs(editions[name][1])
    with zipfile.ZipFile(editions[name][1]) as zf:
        present = {n[len("OEBPS/"):] for n in zf.namelist() if n.startswith("OEBPS/")}
    for doc_name, root in docs.items():
        ids = Counter(ids_of(root))
        assert not [i for i, k in ids.items() if k > 1], f"{doc_name} repeats an id"
    links = [(n, h) for n, root in docs.items()
             for h in root.xpath("//x:a/@href | //x:link/@href | //x:img/@src | //ncx:content/@src"
                                 " | //opf:item/@href", namespaces=X)]
    checked = 0
    for doc_name, href in links:
        file, _, frag = href.partition("#")
        if ":" in file:
            continue
        file = posixpath.normpath(posixpath.join(posixpath.dirname(doc_name), file)) if file else doc_name
        assert file in present, f"{doc_name}: {href}"
        if frag:
            assert frag in ids_of(docs[file]), f"{doc_name}: {href}"
            checked += 1
    assert checked > 100


# ---------------------------------------------------------------- epubcheck

@pytest.mark.slow
@pytest.mark.parametrize("variant", ALL[1:])
def test_epubcheck_finds_no_errors(editions, variant: str, tmp_path: Path) -> None:
    assert_epubcheck_clean(editions[variant][1], tmp_path)
