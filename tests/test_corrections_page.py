"""The lists of corrections (HTML 校勘记, EPUB corrections.xhtml) give each correction its basis.

The basis is the rule the correction's @resp names and, when the editor gave a reason in
input/corrections.tsv, that reason: the TEI holds it as an editorial note whose @target points
at the correction, and the renderers read it from there (they see only the TEI).  A correction
without a reason shows its rule alone, as before.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import BOOK
from epub_helpers import assert_epubcheck_clean
from lxml import etree
from lxml import html as lxml_html

from pipeline.build import BuildConfig, build
from pipeline.teiview import read_tei

T = "http://www.tei-c.org/ns/1.0"
XHTML = {"h": "http://www.w3.org/1999/xhtml"}
REASON = "形近误识：角力"
# Line 82 of the book has 美国内政较力, line 100 奥巴马突出强调; the second row gives no reason.
ROWS = (f"较力\t角力\t美国内政较力\tmedium\t{REASON}\n"
        "突出\t凸出\t奥巴马突出强调\tlow\t\n")
WITH_REASON, WITHOUT_REASON, BY_RULE = "corr-82-1", "corr-100-1", "corr-163-1"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book with two editor's corrections, built into TEI, EPUB and HTML."""
    root = tmp_path_factory.mktemp("corrections")
    folder = root / "input"
    shutil.copytree(BOOK.parent, folder)
    tsv = folder / "corrections.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8") + ROWS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        result = build(BuildConfig.beside(folder / "book.txt", root / "out"))
    assert not [p for p in result.problems if p.code.startswith("C")], result.problems
    return root / "out"


def basis_cells(out: Path) -> dict[str, lxml_html.HtmlElement]:
    page = lxml_html.parse(str(out / "html" / "book" / "corrections.html")).getroot()
    return {tr.get("id"): tr.xpath("td[@data-label='依据']")[0] for tr in page.iter("tr") if tr.get("id")}


def epub_items(out: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(out / "book.epub") as z:
        name = next(n for n in z.namelist() if n.endswith("/corrections.xhtml"))
        doc = etree.fromstring(z.read(name))
    return {li.get("id"): li for li in doc.iterfind(".//h:li", XHTML)}


def test_the_tei_holds_the_reason_as_a_note_on_the_correction(built: Path) -> None:
    tei = etree.parse(str(built / "book.xml"))
    notes = tei.xpath("//t:note[@target=$t]", t=f"#{WITH_REASON}", namespaces={"t": T})
    assert ["".join(n.itertext()) for n in notes] == [REASON]
    assert not tei.xpath("//t:note[@target=$t]", t=f"#{WITHOUT_REASON}", namespaces={"t": T})


def test_html_corrections_page_shows_the_reason_beside_the_rule(built: Path) -> None:
    rules = read_tei(built / "book.xml").rules
    cells = basis_cells(built)
    cell = cells[f"list-{WITH_REASON}"]
    assert cell.text == rules["editor"]
    assert [s.text_content() for s in cell.find_class("reason")] == [REASON]
    # Without a reason, the rule alone, as before.
    for cid, rule in ((WITHOUT_REASON, "editor"), (BY_RULE, "rule-toc")):
        assert cells[f"list-{cid}"].text_content() == rules[rule]
        assert not cells[f"list-{cid}"].find_class("reason")


def test_epub_corrections_list_shows_the_reason_beside_the_rule(built: Path) -> None:
    rules = read_tei(built / "book.xml").rules
    items = epub_items(built)

    def reasons(li: etree._Element) -> list[str]:
        return ["".join(s.itertext()) for s in li.iterfind(".//h:span[@class='reason']", XHTML)]

    def rule(li: etree._Element) -> str:
        return "".join(li.find(".//h:span[@class='rule']", XHTML).itertext())

    assert reasons(items[f"list-{WITH_REASON}"]) == [REASON]
    assert rules["editor"] in rule(items[f"list-{WITH_REASON}"])
    for cid, resp in ((WITHOUT_REASON, "editor"), (BY_RULE, "rule-toc")):
        assert reasons(items[f"list-{cid}"]) == []
        assert rules[resp] in rule(items[f"list-{cid}"])


def test_the_epub_with_a_reason_passes_epubcheck(built: Path, tmp_path: Path) -> None:
    assert_epubcheck_clean(built / "book.epub", tmp_path)


def test_the_reading_text_keeps_the_note_where_it_is(built: Path) -> None:
    site = built / "html" / "book"
    href = basis_cells(built)[f"list-{WITH_REASON}"].getparent().xpath(".//a/@href")[0]
    page, _, anchor = href.partition("#")
    text = (site / page).read_text(encoding="utf-8")
    assert anchor == WITH_REASON and f'id="{anchor}"' in text
    assert text.count(REASON) == 1  # the editorial note at its correction, once


def test_a_note_may_point_at_the_sic_or_corr_inside_the_choice(built: Path, tmp_path: Path) -> None:
    """Another project's TEI may put the id on the corr; a note pointing elsewhere is no reason."""
    tei = etree.parse(str(built / "book.xml"))
    ns = {"t": T}
    choice = tei.xpath("//t:choice[@xml:id=$c]", c=BY_RULE, namespaces=ns)[0]
    choice.find(f"{{{T}}}corr").set("{http://www.w3.org/XML/1998/namespace}id", "their-corr")
    for target, text in (("#their-corr", "据目录改"), ("#ch1", "不是校勘的注")):
        note = etree.SubElement(choice.getparent(), f"{{{T}}}note", type="editorial", target=target)
        etree.SubElement(note, f"{{{T}}}p").text = text
    path = tmp_path / "theirs.xml"
    tei.write(str(path), encoding="utf-8")
    by_id = {c.id: c for c in read_tei(path).corrections}
    assert by_id[BY_RULE].reasons == ("据目录改",)
    assert by_id[WITH_REASON].reasons == (REASON,)
    assert by_id[WITHOUT_REASON].reasons == ()
