"""Layout rules of the PDF reader on small hand-made pages."""
from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.pdf import read_pdf

FONT = "STSong-Light"
SIZE = 10.5
LEFT, WIDTH = 72.0, 20 * SIZE  # 20 characters a line
FULL = "核" * 20
FIRST = "核" * 18  # a full first line after the 2-em indent


def pdf(path: Path, pages: list[list[tuple[float, str, float, float]]]) -> Path:
    """pages of (x offset from the margin, text, size, y) lines."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    canvas = Canvas(str(path), invariant=1)
    for lines in pages:
        for dx, text, size, y in lines:
            canvas.setFont(FONT, size)
            canvas.drawString(LEFT + dx, y, text)
        canvas.showPage()
    canvas.save()
    return path


def body(texts: list[tuple[float, str]], top: float = 700) -> list[tuple[float, str, float, float]]:
    return [(dx, text, SIZE, top - 18 * k) for k, (dx, text) in enumerate(texts)]


def test_footnotes_without_a_rule_are_found_by_small_type_and_marker(tmp_path: Path) -> None:
    lines = body([(21, FIRST), (0, "核" * 12 + "。")]) + [(18, "① " + "注" * 20, 9, 120), (0, "第二行。", 9, 107)]
    source = read_pdf(pdf(tmp_path / "a.pdf", [lines]))
    assert [(ln.role, ln.text) for ln in source.lines] == [
        ("paragraph", FIRST + "核" * 12 + "。"), ("note", "① " + "注" * 20 + "第二行。")]


def test_small_type_without_a_marker_is_not_a_note(tmp_path: Path) -> None:
    lines = body([(21, FIRST), (0, "核" * 12 + "。")]) + [(0, "小字的说明。", 9, 120)]
    source = read_pdf(pdf(tmp_path / "b.pdf", [lines]))
    assert [ln.role for ln in source.lines] == ["paragraph", "paragraph"]


def test_continuation_needs_a_full_last_line_before_the_page_break(tmp_path: Path) -> None:
    full_end = body([(21, FIRST), (0, FULL)])
    short_end = body([(21, FIRST), (0, "核" * 5 + "。")])
    opener = body([(0, "续" * 10 + "。")])
    source = read_pdf(pdf(tmp_path / "c.pdf", [full_end, opener, short_end, opener]))
    assert [(ln.page_start, ln.role) for ln in source.lines] == [
        (True, "paragraph"), (True, "continuation"), (True, "paragraph"), (True, "paragraph")]


def test_fake_bold_is_read_once(tmp_path: Path) -> None:
    lines = [(0, "加粗标题", 14, 700), (0.3, "加粗标题", 14, 700)]
    source = read_pdf(pdf(tmp_path / "d.pdf", [lines]))
    assert [ln.text for ln in source.lines] == ["加粗标题"]


def test_lone_page_number_at_the_foot_is_removed_and_reported(tmp_path: Path) -> None:
    lines = body([(21, FIRST), (0, "核。")]) + [(WIDTH / 2, "- 17 -", 9, 40)]
    source = read_pdf(pdf(tmp_path / "e.pdf", [lines]))
    assert [ln.page for ln in source.lines] == ["17"]
    assert [(p.code, p.page) for p in source.dropped] == [("I102", 1)]
    assert "17" not in source.lines[0].text


def test_raised_digits_are_written_with_a_caret(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    path = tmp_path / "f.pdf"
    canvas = Canvas(str(path), invariant=1)
    canvas.setFont(FONT, SIZE)
    canvas.drawString(LEFT, 700, "见前文")
    canvas.setFont(FONT, 6)
    canvas.drawString(LEFT + 3 * SIZE, 704, "12")
    canvas.setFont(FONT, SIZE)
    canvas.drawString(LEFT + 3 * SIZE + 7, 700, "所述。")
    canvas.save()
    assert [ln.text for ln in read_pdf(path).lines] == ["见前文^12所述。"]


def test_rotated_text_is_skipped_and_reported(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    path = tmp_path / "g.pdf"
    canvas = Canvas(str(path), invariant=1)
    canvas.setFont(FONT, SIZE)
    canvas.drawString(LEFT, 700, "正文一行。")
    canvas.saveState()
    canvas.translate(40, 300)
    canvas.rotate(90)
    canvas.drawString(0, 0, "侧边竖排")
    canvas.restoreState()
    canvas.save()
    source = read_pdf(path)
    assert [ln.text for ln in source.lines] == ["正文一行。"]
    assert [(p.code, p.message.split()[0]) for p in source.dropped] == [("I104", "4")]
