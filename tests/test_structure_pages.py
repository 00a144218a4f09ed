"""Page-aware structure for input that knows its pages (PDF): page breaks with printed numbers at exact places,
ids by physical page, and a footnote that runs over onto the next page."""
from __future__ import annotations

from pathlib import Path

from pipeline.clean import clean
from pipeline.model import Note, PageBreak, Paragraph, Source, SourceLine
from pipeline.structure import structure


def paged(*pages: list[tuple[str, str]]) -> Source:
    """Pages of (role, text); the first line of each page starts it; printed numbers 1, 2, …"""
    lines, n = [], 0
    for number, page in enumerate(pages, start=1):
        for k, (role, text) in enumerate(page):
            n += 1
            lines.append(SourceLine(n, text, page=str(number), page_start=k == 0, role=role))
    return Source(Path("book.pdf"), lines, "pdf", "0" * 64)


def test_structure_note_running_over_a_page_is_one_note() -> None:
    doc = structure(clean(paged(
        [("paragraph", "第一章 绪论"), ("paragraph", "正文说到这里^①然后继续"), ("note", "① 注文的前半，")],
        [("continuation", "说完了。"), ("note", "注文的后半。"), ("paragraph", "新的一段。")],
    )))
    chapter = doc.body[0]
    paragraph = next(b for b in chapter.blocks if isinstance(b, Paragraph))
    notes = [i for i in paragraph.run.items if isinstance(i, Note)]
    assert len(notes) == 1
    assert notes[0].body.reading_text() == "注文的前半，注文的后半。"
    assert notes[0].xml_id == "fn-p001-1"
    assert "说完了。" in paragraph.run.reading_text()
    breaks = [i for i in paragraph.run.items if isinstance(i, PageBreak)]
    assert [b.n for b in breaks] == ["2"]
    assert not [p for p in doc.problems if p.code.startswith("W01")]


def test_structure_markerless_note_with_nothing_before_it_is_kept_as_text() -> None:
    doc = structure(clean(paged([("paragraph", "第一章 绪论"), ("note", "没有注码的注文。")])))
    assert "没有注码的注文" in doc.body[0].blocks[-1].run.reading_text()
    assert [p.code for p in doc.problems if p.code.startswith("W01")] == ["W012"]
