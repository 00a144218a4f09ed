"""Dates, register disambiguation, span selection and editorial notes."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from annotate_helpers import document

from pipeline.annotate import annotate
from pipeline.annotate_dates import find_dates
from pipeline.annotate_register import RegisterError, load_register
from pipeline.annotate_spans import Proposal, insert_note, select
from pipeline.model import Choice, Note, Run, Span, Text


@pytest.mark.parametrize("text, printed, attrs", [
    ("2009年4月5日，", "2009年4月5日", (("when", "2009-04-05"),)),
    ("2010 年 5 月，", "2010 年 5 月", (("when", "2010-05"),)),
    ("2009年9月24日到25日，", "2009年9月24日到25日", (("from", "2009-09-24"), ("to", "2009-09-25"))),
    ("1996年到2000年间", "1996年到2000年", (("from", "1996"), ("to", "2000"))),
    ("进入20世纪90年代后", "20世纪90年代", (("notBefore", "1990"), ("notAfter", "1999"))),
    ("冷战后的90年代。", "90年代", (("notBefore", "1990"), ("notAfter", "1999"))),
    ("May 20, 2005, <", "May 20, 2005", (("when", "2005-05-20"),)),
    ("2009年初，", "2009年初", (("when", "2009"),)),
])
def test_date_values(text: str, printed: str, attrs: tuple) -> None:
    [date] = find_dates(text)
    assert (text[date.start:date.end], date.attrs) == (printed, attrs)


def test_partial_date_takes_the_year_of_its_sentence_only() -> None:
    text = "朝鲜2009年4月初发射，随后；5月25日，朝鲜试验。2003年5月31日，布什。奥巴马讲话。7月初，峰会。"
    values = [d.attrs for d in find_dates(text)]
    assert values[1] == (("when", "2009-05-25"),)  # same sentence as 2009年
    assert values[3] == (("when", "--07"),)  # 2003 is two sentences back: year unknown


def test_no_dates_in_durations_and_numbers() -> None:
    assert find_dates("搁置了10多年之久，第1887号决议，4.5亿美元，28日早晨，25天") == []


REGISTER = """
[bush-hw]
type = "person"
name = "老布什"
aliases = ["布什"]
not_after = 2000

[bush-w]
type = "person"
name = "布什"
not_before = 2001

[dod]
type = "org"
name = "国防部"
not_followed_by = ["长"]

[npt]
type = "work"
name = "不扩散核武器条约"
aliases = ["NPT"]
"""


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def refs(doc) -> list[tuple[str, str]]:
    out = []
    for block in doc.front_divs[0].blocks:
        text = block.run.reading_text()
        out += [(text[s.start:s.end], dict(s.attrs).get("ref", "")) for s in block.run.spans if s.tag != "date"]
    return out


def test_same_surface_resolved_by_year_of_context(register: Path) -> None:
    doc = annotate(document("1991年，布什政府。", "2003年5月31日，总统布什访问。", "老布什政府。"), register, None, discover=False)
    assert refs(doc) == [("布什", "#bush-hw"), ("布什", "#bush-w"), ("老布什", "#bush-hw")]
    assert [e.xml_id for e in doc.entities] == ["bush-hw", "bush-w"]


def test_ambiguous_surface_is_tagged_without_ref_and_reported(register: Path) -> None:
    doc = annotate(document("布什政府。"), register, None, discover=False)
    assert refs(doc) == [("布什", "")]
    assert [p.code for p in doc.problems] == ["A002"]


def test_context_guards_ascii_boundaries_and_titles(register: Path) -> None:
    doc = annotate(document("前国防部长，国防部，《不扩散核武器条约》(NPT)，NPTX，《条约》"), register, None, discover=False)
    assert refs(doc) == [("国防部", "#dod"), ("不扩散核武器条约", "#npt"), ("NPT", "#npt"), ("条约", "")]


def test_register_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "r.toml"
    bad.write_text('[x]\ntype = "city"\nname = "a"\n', encoding="utf-8")
    with pytest.raises(RegisterError, match=r"\[x\].*type"):
        load_register(bad)
    assert load_register(tmp_path / "missing.toml").entries == []


def test_select_nests_dates_in_titles_only_and_never_splits_a_choice() -> None:
    run = Run([Text("《1995年的决定》奥巴"), Choice("吗", "马", "r", "high", "", 1), Text("总统")])
    title, date = Span(1, 9, "title"), Span(1, 6, "date")
    person_in_title, half_choice = Span(2, 4, "persName"), Span(10, 11, "persName")
    whole = Span(10, 13, "persName")
    spans = select([Proposal(s, r) for s, r in
                    ((title, 0), (date, 2), (person_in_title, 3), (half_choice, 1), (whole, 1))], run)
    assert spans == [title, date, whole]


def test_insert_note_splits_text_and_goes_after_existing_notes() -> None:
    author = Note("①", "fn-1", Run([Text("x")]), 1)
    run = Run([Text("甲乙丙"), author, Text("丁")])
    insert_note(run, 1, Note("", "ed-1", Run([Text("a")]), 1, type="editorial"))
    insert_note(run, 3, Note("", "ed-2", Run([Text("b")]), 1, type="editorial"))
    assert [getattr(i, "xml_id", getattr(i, "text", "")) for i in run.items] == ["甲", "ed-1", "乙丙", "fn-1", "ed-2", "丁"]
    assert run.reading_text() == "甲乙丙丁"


def test_editorial_notes_and_unknown_anchor(tmp_path: Path) -> None:
    notes = tmp_path / "annotations.toml"
    notes.write_text('# x\n[[note]]\nanchor = "扩散(vertical)"\ntext = "注一"\n\n'
                     '[[note]]\nanchor = "没有的话"\ntext = "注二"\n', encoding="utf-8")
    doc = annotate(document("横向扩散（vertical）是指"), None, notes, discover=False)
    items = doc.front_divs[0].blocks[0].run.items
    assert isinstance(items[1], Note) and items[1].xml_id == "ed-1" and items[1].resp == "#editor"
    assert items[0].text == "横向扩散（vertical）"
    [problem] = doc.problems
    assert (problem.code, problem.line) == ("A001", 6)


def test_discovery_answers_are_kept_between_builds_but_only_for_the_same_words(
        register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived process asks jieba and discovery only about new text; another register
    (other words for jieba) is new text too, and a fresh answer gives the same spans."""
    import pipeline.annotate as annotate_module

    monkeypatch.setenv("EDITION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(annotate_module, "RECENT", annotate_module.RecentScans())
    asked: list[str] = []
    real = annotate_module.tokens
    monkeypatch.setattr(annotate_module, "tokens", lambda text, *a: asked.append(text) or real(text, *a))
    paragraphs = ("1991年，布什政府在华盛顿会见了戈尔巴乔夫。", "新的一段。")

    def spans(reg: Path) -> list:
        doc = annotate(document(*paragraphs), reg, None)
        return [(s.start, s.end, s.tag, s.attrs) for b in doc.front_divs[0].blocks for s in b.run.spans]

    first = spans(register)
    assert len(asked) == 3  # the heading and the two paragraphs
    assert spans(register) == first and len(asked) == 3  # kept: nothing asked again
    other = tmp_path / "other.toml"
    other.write_text(REGISTER + '\n[gorbachev]\ntype = "person"\nname = "戈尔巴乔夫"\n', encoding="utf-8")
    with_other = spans(other)
    assert len(asked) == 6  # other words for jieba: asked again
    monkeypatch.setattr(annotate_module, "RECENT", annotate_module.RecentScans())
    assert spans(other) == with_other  # the same as without kept answers
