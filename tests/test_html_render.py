"""The HTML edition's files: what is written, how it is escaped, that it is stable."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypinyin import Style, lazy_pinyin

from pipeline.html import render_html
from pipeline.teiview import TeiError

FIXTURE = Path(__file__).parent / "fixtures" / "mini.xml"
TEI_NS = {"t": "http://www.tei-c.org/ns/1.0"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "html"
    render_html(FIXTURE, out)
    return out


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def parse(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def fixture_tei() -> etree._ElementTree:
    return etree.parse(str(FIXTURE))


# ---------------------------------------------------------------- what is written

def test_one_page_per_top_level_division_plus_the_finding_aids(site: Path) -> None:
    tei = fixture_tei()
    ids = tei.xpath("//t:front/t:div[not(@type='imprint' or @type='contents')]/@xml:id"
                    " | //t:body/t:div/@xml:id | //t:back/t:div/@xml:id", namespaces=TEI_NS)
    assert ids, "the fixture should have divisions"
    expected = {f"{i}.html" for i in ids} | {
        "index.html", "persons.html", "places.html", "orgs.html", "works.html",
        "timeline.html", "corrections.html", "search.html"}
    assert {p.name for p in site.glob("*.html")} == expected


def test_every_page_is_chinese_and_uses_only_local_assets(site: Path) -> None:
    for page in site.glob("*.html"):
        doc = parse(page)
        assert doc.get("lang") == "zh-Hans", page.name
        for el in doc.xpath("//script[@src] | //link[@href] | //img[@src]"):
            ref = el.get("src") or el.get("href")
            assert not re.match(r"^(https?:)?//", ref), f"{page.name} loads {ref}"


def test_tei_is_offered_for_download_byte_for_byte(site: Path) -> None:
    assert (site / "mini.xml").read_bytes() == FIXTURE.read_bytes()
    assert parse(site / "index.html").xpath("//a[@href='mini.xml']")


def test_epub_next_to_the_tei_is_copied_and_linked(tmp_path: Path) -> None:
    tei = tmp_path / "book.xml"
    shutil.copyfile(FIXTURE, tei)
    out = tmp_path / "html"
    render_html(tei, out)
    assert not parse(out / "index.html").xpath("//a[contains(@href, '.epub')]"), "no EPUB, no link"
    (tmp_path / "book.epub").write_bytes(b"PK\x03\x04 stand-in epub")
    render_html(tei, out)
    assert (out / "book.epub").read_bytes() == b"PK\x03\x04 stand-in epub"
    assert parse(out / "index.html").xpath("//a[@href='book.epub']")


def test_search_bundle_is_written(site: Path) -> None:
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert list((site / "pagefind").glob("pagefind.zh*.pf_meta")), "the index should be a Chinese one"


# ---------------------------------------------------------------- escaping

def test_markup_in_the_text_is_escaped(site: Path) -> None:
    raw = (site / "preface.html").read_text(encoding="utf-8")
    assert raw.count("<script") == 1  # edition.js, nothing from the text
    assert "]]>" not in raw
    doc = parse(site / "preface.html")
    text = doc.xpath("//article")[0].text_content()
    assert "<script>alert(1)</script>" in text and "]]>" in text and "a < b" in text


def test_ampersand_in_the_title_is_one_character(site: Path) -> None:
    doc = parse(site / "index.html")
    assert doc.findtext(".//title") == "样书：核不扩散 & 反扩散研究"


# ---------------------------------------------------------------- finding aids

def index_entries(site: Path, page: str) -> list[tuple[str, list[str]]]:
    doc = parse(site / page)
    return [(li.findtext(".//span[@class='name']"), li.xpath(".//span[@class='occurrences']//a/@href"))
            for li in doc.xpath("//li[contains(@class, 'index-entry')]")]


@pytest.mark.parametrize("page,tag", [("persons.html", "persName"), ("places.html", "placeName"),
                                      ("orgs.html", "orgName"), ("works.html", "title")])
def test_register_links_every_occurrence(site: Path, page: str, tag: str) -> None:
    tei = fixture_tei()
    names = tei.xpath(f"//t:text//t:{tag}[not(ancestor::t:titlePage)]", namespaces=TEI_NS)
    links = [href for _, hrefs in index_entries(site, page) for href in hrefs]
    assert len(links) == len(names) > 0
    assert len(set(links)) == len(links)


def test_register_is_in_pinyin_order(site: Path) -> None:
    names = [name for name, _ in index_entries(site, "persons.html")]
    assert len(names) >= 3
    keys = ["".join(lazy_pinyin(n, style=Style.TONE3)).lower() for n in names]
    assert keys == sorted(keys)


def test_register_entry_links_to_the_name_in_its_page(site: Path) -> None:
    for name, hrefs in index_entries(site, "persons.html"):
        for href in hrefs:
            page, anchor = href.split("#")
            target = parse(site / page).get_element_by_id(anchor)
            assert target.text_content() == name


def test_timeline_is_in_iso_order_with_the_sentence(site: Path) -> None:
    doc = parse(site / "timeline.html")
    rows = doc.xpath("//table[contains(@class, 'timeline')]/tbody/tr")
    tei = fixture_tei()
    dates = tei.xpath("//t:text//t:date", namespaces=TEI_NS)
    assert len(rows) == len(dates)
    stamps = [r.xpath(".//time/@datetime")[0] for r in rows]
    assert stamps == sorted(stamps)
    first = rows[[s.startswith("2009-04") for s in stamps].index(True)]
    context = first.xpath(".//td[contains(@class,'context')]")[0].text_content()
    assert context.startswith("奥巴马上台后") and context.endswith("发表讲话。")


def test_corrections_page_lists_each_choice_with_its_rule(site: Path) -> None:
    tei = fixture_tei()
    choices = tei.xpath("//t:choice", namespaces=TEI_NS)
    doc = parse(site / "corrections.html")
    rows = doc.xpath("//table[contains(@class, 'corrections')]/tbody/tr")
    assert len(rows) == len(choices)
    by_id = {r.get("id").removeprefix("list-"): r for r in rows}
    for ch in choices:
        row = by_id[ch.get("{http://www.w3.org/XML/1998/namespace}id")]
        sic = "".join(ch.find("t:sic", TEI_NS).itertext())
        corr = ch.find("t:corr", TEI_NS)
        assert row.xpath(".//del")[0].text_content() == sic
        assert row.xpath(".//ins")[0].text_content() == "".join(corr.itertext())
        rule_id = corr.get("resp").lstrip("#")
        rule = tei.xpath(f"//t:respStmt[@xml:id='{rule_id}']/t:resp", namespaces=TEI_NS)[0].text
        assert rule in row.text_content()


def test_reading_text_carries_both_readings_and_page_numbers(site: Path) -> None:
    doc = parse(site / "ch1.html")
    choice = doc.get_element_by_id("corr-2")
    assert choice.xpath(".//*[@class='sic']")[0].text_content() == "絮论"
    assert choice.xpath(".//*[@class='corr']")[0].text_content() == "绪论"
    assert [e.text_content() for e in doc.xpath("//*[@class='pb-n']")] == ["2"]


def test_every_note_is_in_its_page_with_a_backlink(site: Path) -> None:
    for page in site.glob("*.html"):
        doc = parse(page)
        for ref in doc.xpath("//a[contains(@class,'noteref')]"):
            note = doc.get_element_by_id(ref.get("href")[1:])
            back = note.xpath(".//a[@role='doc-backlink']")[0]
            assert back.get("href") == "#" + ref.get("id")


# ---------------------------------------------------------------- build behaviour

def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    render_html(FIXTURE, tmp_path / "a")
    render_html(FIXTURE, tmp_path / "b")
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_a_failed_build_leaves_the_previous_site_alone(tmp_path: Path) -> None:
    out = tmp_path / "html"
    render_html(FIXTURE, out)
    before = tree_digest(out)
    broken = tmp_path / "broken.xml"
    broken.write_text(FIXTURE.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    with pytest.raises(TeiError):
        render_html(broken, out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xml", "html"], "no staging left behind"


def test_rebuild_replaces_the_site_and_drops_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "html"
    render_html(FIXTURE, out)
    (out / "stale.html").write_text("old", encoding="utf-8")
    render_html(FIXTURE, out)
    assert not (out / "stale.html").exists()
    assert (out / "index.html").is_file()


def test_a_date_without_a_year_goes_last_in_the_timeline(tmp_path: Path) -> None:
    tei = tmp_path / "yearless.xml"
    text = FIXTURE.read_text(encoding="utf-8")
    assert '<date when="2009-04-05">' in text
    tei.write_text(text.replace('<date when="2009-04-05">', '<date when="--07">'), encoding="utf-8")
    render_html(tei, tmp_path / "html")
    rows = parse(tmp_path / "html" / "timeline.html").xpath("//tbody/tr")
    last = rows[-1]
    assert "2009年4月5日" in last.text_content() and "7 月" in last.text_content()
    assert not last.xpath(".//time"), "--07 is not a valid HTML datetime"


def test_contents_keep_the_printed_label_beside_the_link(site: Path) -> None:
    titles = [t.text_content() for t in parse(site / "index.html").xpath("//*[@class='toc-title']")]
    assert titles[1:] == ["第一章 绪论", "一、问题的提出", "二、防扩散 & 反扩散的含义", "第二章 未收入本样本"]


def test_headings_keep_the_spacing_of_the_tei(site: Path) -> None:
    doc = parse(site / "ch1.html")
    [label] = doc.get_element_by_id("ch1-head").xpath("span[@class='label']")
    assert (label.text, label.tail) == ("第一章", " ")  # the TEI's space, kept
    [label] = doc.get_element_by_id("ch1-s1-head").xpath("span[@class='label']")
    assert (label.text, label.tail) == ("一、", "问题的提出")  # none after 、, none added


def test_colophon_lines_show_their_label(site: Path) -> None:
    doc = parse(site / "index.html")
    labels = doc.xpath("//section[@class='imprint']//p[@class='colophon']/span[@class='label']")
    assert [lb.text_content() for lb in labels] == ["书名", "定价"]


def test_an_editorial_note_inside_a_footnote_is_reachable_both_ways(site: Path) -> None:
    doc = parse(site / "ch1.html")  # the body's head, with its note, is shown on chapter 1's page
    outer = doc.get_element_by_id("fn-p003-1")
    [ref] = outer.xpath(".//a[contains(@class, 'noteref')]")
    assert (ref.get("href"), ref.get("id")) == ("#ed-1", "nref-ed-1")
    inner = doc.get_element_by_id("ed-1")
    assert "note-nested" in inner.get("class")
    assert inner.xpath(".//a[@role='doc-backlink']")[0].get("href") == "#nref-ed-1"
    assert "vertical proliferation" in inner.text_content()
    ids = [n.get("id") for n in doc.xpath("//section[@class='notes']/aside")]
    assert ids.index("fn-p003-1") + 1 == ids.index("ed-1")
