"""The EPUB package: structure, determinism, notes, navigation, metadata, hostile text."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline.epub import render_epub
from pipeline.teiview import TeiError

MINI = Path(__file__).parent / "fixtures" / "mini.xml"
NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture()
def epub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "mini.epub"
    render_epub(MINI, out)
    return out


def xml(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as zf:
        return etree.fromstring(zf.read(f"OEBPS/{name}"))


def test_mimetype_first_and_stored_entries_sorted_with_fixed_time(epub: Path) -> None:
    with zipfile.ZipFile(epub) as zf:
        infos = zf.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == b"application/epub+zip"
        names = [i.filename for i in infos[1:]]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert epub.read_bytes()[30:38] == b"mimetype"  # readers sniff the first local header


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    render_epub(MINI, tmp_path / "a.epub")
    render_epub(MINI, tmp_path / "b.epub")
    assert (tmp_path / "a.epub").read_bytes() == (tmp_path / "b.epub").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    render_epub(MINI, tmp_path / "c.epub")
    assert (tmp_path / "c.epub").read_bytes() != (tmp_path / "a.epub").read_bytes()


def test_a_failed_build_leaves_the_good_epub_alone(epub: Path, tmp_path: Path) -> None:
    good = epub.read_bytes()
    bad = tmp_path / "bad.xml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace("</TEI>", ""), encoding="utf-8")
    with pytest.raises(TeiError):
        render_epub(bad, epub)
    assert epub.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_noterefs_point_to_footnote_asides_in_the_same_file_and_back(epub: Path) -> None:
    with zipfile.ZipFile(epub) as zf:
        docs = [n for n in zf.namelist() if n.endswith(".xhtml")]
    refs = 0
    for name in docs:
        root = xml(epub, name.removeprefix("OEBPS/"))
        for a in root.iterfind(".//h:a[@epub:type='noteref']", NS):
            refs += 1
            assert a.get("role") == "doc-noteref" and a.get("href").startswith("#")
            [aside] = root.xpath("//h:aside[@id=$i]", namespaces=NS, i=a.get("href")[1:])
            assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"
            back = aside.find(".//h:a[@role='doc-backlink']", NS)
            assert back.get("href") == "#" + a.get("id")
    assert refs == 5  # every note of mini.xml, none lost


def test_editorial_notes_look_different(epub: Path) -> None:
    root = xml(epub, "ch1.xhtml")
    [aside] = root.xpath("//h:aside[@id='ed-2']", namespaces=NS)
    assert "editorial" in aside.get("class")
    assert "editorial" not in root.xpath("//h:aside[@id='fn-p004-1']", namespaces=NS)[0].get("class")


def test_an_editorial_note_inside_a_footnote_links_both_ways(epub: Path) -> None:
    root = xml(epub, "body-head.xhtml")
    [outer] = root.xpath("//h:aside[@id='fn-p003-1']", namespaces=NS)
    [ref] = outer.xpath(".//h:a[@epub:type='noteref']", namespaces=NS)  # the marker is inside the footnote
    assert (ref.get("href"), ref.get("id")) == ("#ed-1", "nref-ed-1")
    [inner] = root.xpath("//h:aside[@id='ed-1']", namespaces=NS)
    assert {"editorial", "nested"} <= set(inner.get("class").split()) and inner.get(EPUB_TYPE) == "footnote"
    assert inner.find(".//h:a[@role='doc-backlink']", NS).get("href") == "#nref-ed-1"
    asides = [a.get("id") for a in root.iterfind(".//h:aside", NS)]
    assert asides == ["fn-p003-1", "ed-1"]  # the author's note first, then the editor's on it


def test_labels_keep_the_spacing_of_the_tei(epub: Path) -> None:
    root = xml(epub, "ch1.xhtml")
    heads = ["".join(h.itertext()) for h in root.iterfind(".//h:h1", NS)] + [
        "".join(h.itertext()) for h in root.iterfind(".//h:h2", NS)]
    assert heads == ["第一章 绪论", "一、问题的提出②", "二、防扩散 & 反扩散的含义"]
    items = ["".join(a.itertext()) for a in xml(epub, "contents.xhtml").iterfind(".//h:li/h:a", NS)]
    assert items[1:3] == ["第一章 绪论", "一、问题的提出"]


def test_colophon_labels_are_set_off(epub: Path) -> None:
    root = xml(epub, "imprint.xhtml")
    [label] = root.xpath("//h:p[@class='colophon']/h:span[@class='label'][.='书名']", namespaces=NS)
    assert label.tail.strip().startswith("样书")


def test_chinese_titles_are_not_italic(epub: Path) -> None:
    with zipfile.ZipFile(epub) as zf:
        css = zf.read("OEBPS/css/book.css").decode()
    assert re.search(r"(^|\n)cite\b[^{]*\{[^}]*font-style:\s*normal", css)
    assert re.search(r"cite:lang\(en\)\s*\{[^}]*italic", css)  # a Latin-script title may keep it


def test_hostile_text_stays_text(epub: Path) -> None:
    root = xml(epub, "preface.xhtml")
    assert root.find(".//h:script", NS) is None
    text = "".join(root.itertext())
    assert "<script>alert(1)</script>" in text and "]]>" in text and "a < b" in text
    assert "样书：核不扩散 & 反扩散研究" in "".join(xml(epub, "titlepage-1.xhtml").itertext())


def test_nav_has_chapter_tree_landmarks_and_page_list(epub: Path) -> None:
    nav = xml(epub, "nav.xhtml")
    toc = nav.find(".//h:nav[@epub:type='toc']", NS)
    chapter = toc.xpath(".//h:li[h:a[starts-with(@href, 'ch1.xhtml')]]", namespaces=NS)[0]
    assert [a.get("href") for a in chapter.iterfind("h:ol/h:li/h:a", NS)] == [
        "ch1.xhtml#ch1-s1", "ch1.xhtml#ch1-s2"]
    marks = {a.get(EPUB_TYPE) for a in nav.iterfind(".//h:nav[@epub:type='landmarks']//h:a", NS)}
    assert {"cover", "titlepage", "toc", "bodymatter", "index"} <= marks
    pages = nav.findall(".//h:nav[@epub:type='page-list']//h:a", NS)
    assert [(a.text, a.get("href")) for a in pages] == [("2", "ch1.xhtml#pb-2")]


def test_ncx_mirrors_the_chapter_tree(epub: Path) -> None:
    ncx = xml(epub, "toc.ncx")
    srcs = [c.get("src") for c in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}content")]
    assert "ch1.xhtml#ch1-s2" in srcs
    orders = [int(n.get("playOrder")) for n in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}navPoint")]
    assert orders == list(range(1, len(orders) + 1))


def test_opf_metadata_from_the_tei_header(epub: Path) -> None:
    opf = xml(epub, "content.opf")
    md = opf.find("opf:metadata", NS)
    assert md.findtext("dc:title", namespaces=NS) == "样书：核不扩散 & 反扩散研究"
    assert md.findtext("dc:creator", namespaces=NS) == "李测试"
    assert md.findtext("dc:language", namespaces=NS) == "zh-Hans"
    assert md.findtext("dc:source", namespaces=NS) == "urn:isbn:9787801508973"
    assert md.findtext("dc:identifier", namespaces=NS) == "urn:uuid:0f6d3a3e-2f4b-5c2a-9a56-0c8e1d9b7a11"
    assert "D815.2" in [s.text for s in md.findall("dc:subject", NS)]
    props = {m.get("property"): m.text for m in md.findall("opf:meta", NS)}
    assert props["dcterms:modified"] == "2023-11-14T22:13:20Z"
    for p in ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
              "schema:accessibilitySummary", "schema:accessModeSufficient", "dcterms:conformsTo"):
        assert props.get(p), p


def test_chinese_language_and_latin_runs_are_marked(epub: Path) -> None:
    root = xml(epub, "ch1.xhtml")
    assert root.get("lang") == "zh-Hans" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
    en = [s.text for s in root.iterfind(".//h:span[@lang='en']", NS)]
    assert "non-proliferation" in en and "counter-proliferation" in en


def test_indexes_sorted_by_pinyin_and_link_to_occurrences(epub: Path) -> None:
    root = xml(epub, "indexes.xhtml")
    persons = root.find(".//h:section[@id='index-person']", NS)
    terms = [t.text for t in persons.iterfind(".//h:span[@class='index-term']", NS)]
    assert terms == ["阿伦", "奥巴马"]  # a-lun before ao-ba-ma
    links = [a.get("href") for a in persons.iterfind(".//h:li[@id='reg-obama']/h:a[@class='locator']", NS)]
    assert links == ["preface.xhtml#nm-1", "ch1.xhtml#nm-4"]
    for href in links:
        name, frag = href.split("#")
        assert xml(epub, name).xpath("//*[@id=$f]", namespaces=NS, f=frag)


def test_corrections_show_the_corrected_reading_and_are_listed(epub: Path) -> None:
    head = xml(epub, "ch1.xhtml").find(".//h:h1", NS)
    assert "绪论" in "".join(head.itertext()) and "絮论" not in "".join(head.itertext())
    items = xml(epub, "corrections.xhtml").findall(".//h:li", NS)
    assert [i.findtext("h:del", namespaces=NS) for i in items] == ["样书：核不扩散与反护散研究", "絮论"]
    assert "据目录校正标题" in "".join(items[1].itertext())  # the rule's words, not its id


def test_a_bare_tei_still_makes_an_epub(tmp_path: Path) -> None:
    src = tmp_path / "bare.xml"
    src.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:lang="zh-Hans"><teiHeader><fileDesc>'
                   "<titleStmt><title>书</title></titleStmt></fileDesc></teiHeader><text><body>"
                   '<div type="chapter"><head>一</head><p>文字</p></div></body></text></TEI>', encoding="utf-8")
    render_epub(src, tmp_path / "bare.epub")
    with zipfile.ZipFile(tmp_path / "bare.epub") as zf:
        names = zf.namelist()
    assert "OEBPS/nav.xhtml" in names and "OEBPS/indexes.xhtml" not in names


def test_nav_titles_undo_letter_spacing_but_keep_word_gaps(epub: Path) -> None:
    nav = xml(epub, "nav.xhtml").find(".//h:nav[@epub:type='toc']", NS)
    texts = [a.text for a in nav.iterfind(".//h:a", NS)]
    assert "前言" in texts and "第一章 绪论" in texts  # 前　　言 closes up; the label's gap stays
