"""The same book as OCR text and as PDF gives the same edition.

The PDF is typeset afresh (its pages break elsewhere than the OCR's, and its
notes are numbered per PDF page), so what must agree is what does not depend
on pagination: the text of every re-joined paragraph, every note's body and
the place of its anchor.  Page breaks from the PDF carry the printed number.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import BOOK
from lxml import etree
from pdfgen import generate

from pipeline.build import BuildConfig, build

TEI = "{http://www.tei-c.org/ns/1.0}"
NS = {"t": TEI[1:-1]}

pytestmark = pytest.mark.slow


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reading(tei: Path) -> tuple[list[str], list[tuple[str, str, bool]], list[str | None]]:
    """(paragraph texts, notes in paragraphs and heads as (text just before the
    anchor, body, anchored), pb/@n in order)."""
    tree = etree.parse(str(tei))
    paragraphs, notes = [], []
    text = tree.find(".//t:text", NS)
    for p in text.iter(f"{TEI}p", f"{TEI}head"):
        if any(a.tag == f"{TEI}note" for a in p.iterancestors()):
            continue
        parts: list[str] = []

        def walk(el: etree._Element) -> None:
            parts.append(el.text or "")
            for child in el:
                if child.tag == f"{TEI}note":
                    notes.append((squeeze("".join(parts))[-12:], squeeze("".join(child.itertext())),
                                  child.get("type") != "unanchored"))
                elif child.tag != f"{TEI}pb":
                    walk(child)
                parts.append(child.tail or "")
        walk(p)
        if p.tag == f"{TEI}p":
            paragraphs.append(squeeze("".join(parts)))
    pbs = [pb.get("n") for pb in tree.iterfind(".//t:text//t:pb", NS)]
    return paragraphs, notes, pbs


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("same-book")  # no editor's data beside either file
    txt = folder / "book.txt"
    shutil.copy(BOOK, txt)
    printed = generate(BOOK, folder / "book.pdf")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
    try:
        results = {kind: build(BuildConfig(folder / f"book.{kind}", folder / kind, formats=("tei",)))
                   for kind in ("txt", "pdf")}
    finally:
        mp.undo()
    return {"printed": printed, **{k: (r, reading(r.tei_path)) for k, r in results.items()}}


def test_same_paragraphs_after_rejoining(both) -> None:
    (_, (txt, _, _)), (_, (pdf, _, _)) = both["txt"], both["pdf"]
    assert len(txt) > 20
    assert pdf == txt


def test_same_notes_at_the_same_anchors(both) -> None:
    (txt_result, (_, txt, _)), (pdf_result, (_, pdf, _)) = both["txt"], both["pdf"]
    assert len(txt) == 7 and all(anchored for _, _, anchored in txt)
    assert pdf == txt
    assert pdf_result.stats["notes linked"] == txt_result.stats["notes linked"] == 7


def test_page_breaks_carry_printed_numbers(both) -> None:
    printed = both["printed"]
    _, (_, _, pbs) = both["pdf"]
    numbered = [n for n in pbs if n is not None]
    assert numbered, "no <pb n> from the PDF"
    printed_numbers = [p.number for p in printed.pages if p.number]
    it = iter(printed_numbers)
    assert all(n in it for n in numbered), f"{numbered} not in printed order {printed_numbers}"
    # every page that continues a paragraph breaks inside it, with its number
    assert {"2", "3", "4", "5"} <= set(numbered)


def test_pdf_report_lists_removed_furniture(both) -> None:
    pdf_result, _ = both["pdf"]
    codes = [p.code for p in pdf_result.problems]
    assert codes.count("I101") == sum(1 for p in both["printed"].pages if p.head)
    assert codes.count("I102") == sum(1 for p in both["printed"].pages if p.number)
