"""End to end on the book: the TEI is complete, valid, stable and well linked."""
from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import BOOK, ROOT, TEI_ALL, run_edition
from lxml import etree

NS = {"t": "http://www.tei-c.org/ns/1.0"}
COUNTED = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]")


def counted(text: str) -> Counter:
    return Counter(COUNTED.findall(text))


def original_side(el: etree._Element) -> str:
    """The text of `el` as the source had it: sic not corr, no editorial additions (@resp)."""
    out = [el.text or ""] if el.get("resp") is None else []
    for child in el:
        if child.get("resp") is None and etree.QName(child).localname != "corr":
            out.append(original_side(child))
        out.append(child.tail or "")
    return "".join(out)


@pytest.fixture(scope="module")
def tei(book_build: Path) -> etree._ElementTree:
    return etree.parse(str(book_build / "book.xml"))


def test_book_nothing_lost(tei: etree._ElementTree) -> None:
    """Every Han character, Latin letter and digit of the source is in <text>, and nothing else is."""
    source = counted(BOOK.read_text(encoding="utf-8"))
    text = counted(original_side(tei.find("t:text", NS)))
    assert text == source, f"missing {source - text}, added {text - source}"


def test_book_tei_valid_against_official_tei_all(book_build: Path) -> None:
    assert TEI_ALL.exists(), (f"official schema not found at {TEI_ALL}: set TEI_ALL_RNG to tei_all.rng "
                              "(https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng)")
    proc = subprocess.run([str(ROOT / ".venv/bin/pyjing"), str(TEI_ALL), str(book_build / "book.xml")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_book_tei_valid_against_project_schema(book_build: Path) -> None:
    proc = run_edition("validate", str(book_build / "book.xml"))
    assert proc.returncode == 0, proc.stderr


def test_book_two_builds_are_byte_identical(book_build: Path, tmp_path: Path) -> None:
    run_edition("build", str(BOOK), "--out", str(tmp_path), "--format", "tei", check=True)
    assert (tmp_path / "book.xml").read_bytes() == (book_build / "book.xml").read_bytes()


def test_book_every_footnote_sits_at_its_marker(tei: etree._ElementTree) -> None:
    notes = tei.xpath("//t:text//t:note[@place='foot']", namespaces=NS)
    assert len(notes) == 7
    assert all(n.get("n") in "①②" for n in notes)
    assert not tei.xpath("//t:note[@type='unanchored']", namespaces=NS)
    ids = [n.get("{http://www.w3.org/XML/1998/namespace}id") for n in notes]
    assert len(set(ids)) == len(ids)
    text = "".join(tei.find("t:text", NS).itertext())
    assert "^" not in text
    # A note of chapter 1 anchors the book title printed above it, another the first section's heading.
    assert tei.xpath("//t:body/t:head/t:note[@n='①']", namespaces=NS)
    assert tei.xpath("//t:div[@xml:id='ch1-s1']/t:head/t:note[@n='②']", namespaces=NS)


def test_book_paragraphs_rejoined_across_page_breaks(tei: etree._ElementTree) -> None:
    paragraphs = ["".join(p.itertext()) for p in tei.xpath("//t:body//t:p[t:pb]", namespaces=NS)]
    assert any("美国政府又" in p and "把核技术当成推行对外政策的工具" in p for p in paragraphs)
    assert any("防止核扩" in "".join(p.itertext()) and "散、提高前苏联国家" in "".join(p.itertext())
               for p in tei.xpath("//t:front//t:p[t:pb]", namespaces=NS))
    # no paragraph starts with what is plainly a continuation
    starts = [p.text or "" for p in tei.xpath("//t:text//t:div/t:p", namespaces=NS)]
    assert not any(s.startswith(("把核技术当成", "是能力上的", "后的重要议事", "增幅", "储存、使用")) for s in starts)


def test_book_corrections_keep_the_original_reading(tei: etree._ElementTree) -> None:
    pairs = {(c.findtext("t:sic", namespaces=NS), c.findtext("t:corr", namespaces=NS),
              c.find("t:corr", NS).get("resp")) for c in tei.xpath("//t:choice", namespaces=NS)}
    assert ("絮", "绪", "#rule-toc") in pairs
    assert ("护", "扩", "#rule-cip-title") in pairs
    assert ("国国", "国", "#rule-cip-title") in pairs


def test_book_toc_points_to_existing_chapters(tei: etree._ElementTree) -> None:
    items = tei.xpath("//t:div[@type='contents']//t:item", namespaces=NS)
    assert len(items) == 37
    targets = tei.xpath("//t:div[@type='contents']//t:ref/@target", namespaces=NS)
    assert targets[:3] == ["#preface", "#ch1", "#ch1-s1"]
    assert [i.findtext("t:num", namespaces=NS) for i in items][-1] == "177"


def test_book_header_from_cip_and_colophon(tei: etree._ElementTree) -> None:
    h = tei.find("t:teiHeader", NS)
    assert h.findtext(".//t:sourceDesc//t:idno[@type='ISBN']", namespaces=NS) == "978-7-80150-897-3"
    assert h.findtext(".//t:classCode", namespaces=NS) == "D815.2"
    assert h.findtext(".//t:series/t:title", namespaces=NS) == "中国国际战略学会丛书"
    assert h.findtext(".//t:imprint/t:publisher", namespaces=NS) == "军事谊文出版社"
    assert h.findtext(".//t:imprint/t:pubPlace", namespaces=NS) == "北京"
    assert h.find(".//t:imprint/t:date", NS).get("when") == "2011-01"
    assert [t.text for t in h.iterfind(".//t:keywords/t:term", NS)][:2] == ["核扩散", "防止"]
    assert h.find(".//t:revisionDesc/t:change", NS).get("when") == "2023-11-14"  # SOURCE_DATE_EPOCH 1700000000


def test_book_cip_classification_line_has_no_notes(tei: etree._ElementTree) -> None:
    imprint = tei.find(".//t:div[@type='imprint']", NS)
    assert imprint.find(".//t:note", NS) is None
    assert "III.①核扩散" in "".join(imprint.itertext())


def test_book_jieba_memo_changes_nothing(book_build: Path, tmp_path: Path) -> None:
    """A cold cache (jieba asked about everything) and a warm one (its answers remembered) give the same TEI."""
    cold = tmp_path / "cold"
    run_edition("build", str(BOOK), "--out", str(tmp_path / "a"), "--format", "tei", check=True,
                env={"EDITION_CACHE_DIR": str(cold)})
    assert list((cold / "jieba").glob("memo-*.json")), "the memo was not written"
    run_edition("build", str(BOOK), "--out", str(tmp_path / "b"), "--format", "tei", check=True,
                env={"EDITION_CACHE_DIR": str(cold)})
    reference = (book_build / "book.xml").read_bytes()
    assert (tmp_path / "a" / "book.xml").read_bytes() == reference
    assert (tmp_path / "b" / "book.xml").read_bytes() == reference
