"""Weaving annotation spans around text, corrections, notes and page breaks."""
from __future__ import annotations

from lxml import etree

from pipeline.model import Choice, Note, PageBreak, Run, Span, Text
from pipeline.tei_inline import Counters, T, write_run
from pipeline.validate import validate_bytes

REF = (("ref", "#obama"),)


def woven(run: Run) -> str:
    p = etree.Element(T + "p", nsmap={None: "http://www.tei-c.org/ns/1.0"})
    counters = Counters()
    write_run(p, run, counters)
    return etree.tostring(p, encoding="unicode").split(">", 1)[1].rsplit("</p", 1)[0]


def test_tei_inline_note_on_a_span_edge_stays_outside() -> None:
    run = Run([Text("奥巴马"), Note("①", "fn-p001-1", Run([Text("注")]), 1), Text("政府")],
              [Span(0, 3, "persName", REF)])
    assert woven(run) == ('<persName ref="#obama">奥巴马</persName><note place="foot" n="①" xml:id="fn-p001-1">'
                          "<p>注</p></note>政府")


def test_tei_inline_page_break_inside_a_span_stays_inside() -> None:
    run = Run([Text("奥巴"), PageBreak(), Text("马说")], [Span(0, 3, "persName", REF)])
    assert woven(run) == '<persName ref="#obama">奥巴<pb/>马</persName>说'


def test_tei_inline_span_around_a_choice_keeps_it_whole() -> None:
    run = Run([Text("第一章"), Choice("絮论", "绪论", "rule-toc", "high", "", 1), Text("等")],
              [Span(3, 5, "title"), Span(4, 6, "date")])
    out = woven(run)
    assert out.startswith('第一章<title><choice xml:id="corr-1-1"><sic>絮论</sic>')
    assert out.endswith("</choice></title>等")
    assert "<date" not in out  # it would cut the choice in half: dropped, not mangled


def test_tei_inline_nested_spans_and_crossing_span_dropped() -> None:
    run = Run([Text("《2010年计划》与会")], [Span(1, 8, "title"), Span(1, 6, "date", (("when", "2010"),)),
                                         Span(6, 10, "orgName")])
    assert woven(run) == '《<title><date when="2010">2010年</date>计划</title>》与会'


def test_validate_schematron_catches_dangling_pointer_and_duplicate_id(tmp_path) -> None:
    from conftest import BOOK, run_edition

    out = tmp_path / "out"
    run_edition("build", str(BOOK), "--out", str(out), "--format", "tei", check=True)
    text = (out / "book.xml").read_text(encoding="utf-8")
    dangling = text.replace('ref="#obama"', 'ref="#nobody"', 1)
    problems = validate_bytes(dangling.encode("utf-8"), "x.xml")
    [found] = [p for p in problems if p.code == "V002" and "#nobody" in p.message]
    # The line of the element that holds the pointer: an editor goes there.
    assert 'ref="#nobody"' in dangling.splitlines()[found.line - 1]
    for attr in ("resp", "target"):  # every pointer attribute is checked
        value = f'{attr}="#'
        broken = dangling.replace(value, f'{value}missing-', 1)
        assert any(p.code == "V002" and "#missing-" in p.message and p.line
                   for p in validate_bytes(broken.encode("utf-8"), "x.xml")), attr
    duplicate = text.replace('xml:id="ch1-s1"', 'xml:id="ch1"', 1)
    assert any(p.code in ("V000", "V001", "V002") and "ch1" in p.message
               for p in validate_bytes(duplicate.encode("utf-8"), "x.xml"))


def test_tei_inline_editor_correction_carries_its_reason_as_an_editorial_note() -> None:
    run = Run([Text("爆发核大战的"), Choice("几率", "概率", "editor", "medium", "“几率”宜作“概率”", 68), Text("大幅")])
    out = woven(run)
    assert ('<choice xml:id="corr-68-1"><sic>几率</sic><corr resp="#editor" cert="medium" evidence="external">概率'
            '</corr></choice><note type="editorial" resp="#editor" target="#corr-68-1" xml:id="ed-corr-68-1">'
            '<p>“几率”宜作“概率”</p></note>大幅') in out


def test_tei_inline_rule_correction_has_no_reader_note() -> None:
    assert "<note" not in woven(Run([Choice("絮", "绪", "rule-toc", "high", "heading vs 目录", 163)]))
