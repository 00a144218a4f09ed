"""PDF input: the generated test book read back through pdfplumber.

`pdfgen.generate` typesets input/book.txt as a printed book would be (running
heads, page numbers, footnotes below a rule, superscript markers, paragraphs
over page breaks) and says what it printed on each page; `read_pdf` must
recover exactly that, and the OCR text's own characters, in order.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BOOK
from pdfgen import Printed, generate

from pipeline.model import Source
from pipeline.pdf import read_pdf

HAN = re.compile(r"[\u3400-\u9fff]")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Printed, Source]:
    path = tmp_path_factory.mktemp("pdf") / "book.pdf"
    printed = generate(BOOK, path)
    return path, printed, read_pdf(path)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def han(text: str) -> str:
    return "".join(HAN.findall(text))


def ocr_blocks() -> list[str]:
    return [b.strip() for b in re.split(r"\n[ \t]*\n", BOOK.read_text(encoding="utf-8")) if b.strip()]


def is_note(block: str) -> bool:
    return re.match(rf"^\^?[{CIRCLED}]", block) is not None


def test_generator_is_deterministic(tmp_path: Path, book_pdf) -> None:
    path, _, _ = book_pdf
    again = tmp_path / "again.pdf"
    generate(BOOK, again)
    assert again.read_bytes() == path.read_bytes()


def test_every_printed_block_comes_back_on_its_page(book_pdf) -> None:
    _, printed, source = book_pdf
    expected = [(i, k == 0, page.number, block.role, squeeze(block.text))
                for i, page in enumerate(printed.pages, 1) for k, block in enumerate(page.blocks)]
    page_index = 0
    got = []
    for line in source.lines:
        page_index += line.page_start
        got.append((page_index, line.page_start, line.page, line.role, squeeze(line.text)))
    assert got == expected
    assert [ln.number for ln in source.lines] == list(range(1, len(source.lines) + 1))


def test_han_characters_of_the_ocr_text_come_back_in_order(book_pdf) -> None:
    """Independent of what the generator reports: the book's own text."""
    _, _, source = book_pdf
    blocks = ocr_blocks()
    assert han("".join(b for b in blocks if not is_note(b))) == \
        han("".join(ln.text for ln in source.lines if ln.role != "note"))
    assert sorted(han(b) for b in blocks if is_note(b) and blocks.index(b) > 0) == \
        sorted(han(ln.text) for ln in source.lines if ln.role == "note")


def test_notes_are_role_note_with_their_marker_on_the_same_page(book_pdf) -> None:
    _, _, source = book_pdf
    notes = [ln for ln in source.lines if ln.role == "note"]
    assert len(notes) == sum(1 for b in ocr_blocks()[1:] if is_note(b))
    page: list[str] = []
    pages: list[list[str]] = []
    for line in source.lines:
        if line.page_start:
            page = []
            pages.append(page)
        page.append(line.text if line.role != "note" else "")
    for line in notes:
        assert line.text[0] in CIRCLED and not line.text.startswith("^"), line.text
    for page_lines in pages:
        text = "".join(page_lines)
        markers = re.findall(rf"\^([{CIRCLED}])", text)
        assert len(markers) == len(set(markers)), "notes are numbered afresh on each page"


def test_markers_come_back_as_caret_superscripts(book_pdf) -> None:
    _, _, source = book_pdf
    text_lines = [ln.text for ln in source.lines if ln.role != "note"]
    carets = sum(len(re.findall(rf"\^[{CIRCLED}]", t)) for t in text_lines)
    ocr_markers = sum(len(re.findall(rf"(?<!^)\^?[{CIRCLED}]", b)) for b in ocr_blocks()
                      if not is_note(b) and "CIP" not in b and not b.startswith(("I .", "IV")))
    assert carets == ocr_markers > 0
    cip = next(t for t in text_lines if t.startswith("I ."))
    assert "^" not in cip and "①美" in cip, "CIP classification numbers are not superscripts"
    heading = next(t for t in text_lines if t.startswith("一、问题的提出") and "\t" not in t)
    assert re.fullmatch(rf"一、问题的提出\^[{CIRCLED}]", heading)


def test_page_starts_and_printed_numbers(book_pdf) -> None:
    _, printed, source = book_pdf
    starts = [ln for ln in source.lines if ln.page_start]
    assert len(starts) == len(printed.pages) == 14
    assert [ln.page for ln in starts] == [p.number for p in printed.pages]
    assert [ln.page for ln in starts] == [None] * 3 + ["1", "2", "3", "4", "5", "i", "ii", "1", "2", "3", "4"]


def test_running_heads_and_page_numbers_are_reported_not_kept(book_pdf) -> None:
    _, printed, source = book_pdf
    heads = [(i, p.head) for i, p in enumerate(printed.pages, 1) if p.head]
    numbers = [(i, p.number) for i, p in enumerate(printed.pages, 1) if p.number]
    assert [(p.page, p.message.split(": ", 1)[1]) for p in source.dropped if p.code == "I101"] == heads
    assert [(p.page, p.message.split(": ", 1)[1]) for p in source.dropped if p.code == "I102"] == numbers
    assert all(p.file == "book.pdf" for p in source.dropped)
    page = 0
    for line in source.lines:
        page += line.page_start
        head = printed.pages[page - 1].head
        assert not head or squeeze(line.text) != squeeze(head)
        assert not re.fullmatch(r"[\divx]+", line.text.strip()), line.text


def test_paragraphs_running_over_pages_are_continuations(book_pdf) -> None:
    _, _, source = book_pdf
    lines = source.lines
    continuations = [i for i, ln in enumerate(lines) if ln.role == "continuation"]
    assert len(continuations) >= 5
    for i in continuations:
        assert lines[i].page_start
        before = next(ln for ln in reversed(lines[:i]) if ln.role != "note")
        assert not before.text.endswith(("。", "”", "^①")), before.text
    # Every other block on a page starts a paragraph (indented) or is a line of its own.
    assert {ln.role for ln in lines} == {"paragraph", "continuation", "note"}
