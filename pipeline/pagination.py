"""Pages, footnotes and paragraphs of a run of body text (preface, chapters).

The OCR text does not mark pages; their bottoms show as blocks of footnote
bodies whose numbering restarts on every page.  So a page ends after a group
of note bodies, and a paragraph that stops without closing punctuation runs on
after the notes (or after a blank line, which in OCR text is the page break of
a page without notes).  PDF input knows page starts exactly and says so on
each line (`page_start`, `role`).

Before (lines):  `…另一方面，美国政府又` · `① 扩散…` · `② 本书…` · `把核技术当成…`
After (blocks):  one paragraph `…美国政府又<pb/>把核技术当成…`, the two notes
                 placed at their markers earlier on that page.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import patterns as P
from .model import (
    Choice,
    CleanLine,
    Inline,
    Note,
    OrphanMarker,
    PageBreak,
    Paragraph,
    Problem,
    Run,
    SourceLine,
    Text,
)


@dataclass
class Marker:
    start: int
    end: int
    n: str
    caret: bool
    line: int = 0
    linked: Note | OrphanMarker | None = None


@dataclass
class Unit:
    """One line of body text, classified."""

    kind: str  # para | head | note
    line: CleanLine
    start: int = 0  # where the content starts in line.text (after a label or note marker)
    heading: P.Heading | None = None
    markers: list[Marker] = field(default_factory=list)
    note: Note | None = None  # for kind == "note"
    continues: bool = False  # a note line without a marker: the previous note goes on
    page_before: PageBreak | None = None  # a page break that falls before this unit
    joins_previous: bool = False


def physical_pages(lines: Sequence[SourceLine | CleanLine]) -> dict[int, int]:
    """Line number → physical page (1, 2, …), where the input knows its pages (PDF)."""
    physical, page = {}, 0
    for line in lines:
        page += line.page_start
        if page:
            physical[line.number] = page
    return physical


@dataclass
class Pager:
    """Counts pages across the whole book so that note ids are stable."""

    file: str
    page: int = 1
    physical: dict[int, int] = field(default_factory=dict)  # line number → physical page, where known (PDF)
    problems: list[Problem] = field(default_factory=list)
    notes_linked: int = 0
    rejoined: int = 0
    last_note: Note | None = None

    @classmethod
    def for_lines(cls, file: str, lines: list[CleanLine]) -> "Pager":
        physical = physical_pages(lines)
        return cls(file, page=0 if physical else 1, physical=physical)

    def new_page(self, line: CleanLine | None, n: str | None = None) -> PageBreak:
        if line is not None and line.number in self.physical:
            self.page = self.physical[line.number]
        else:
            self.page += 1
        return PageBreak(n=n, line=line.number if line else None)


def run_of(line: CleanLine, start: int, end: int, markers: list[Marker] | None = None) -> Run:
    """The inline items of line.text[start:end]: text, corrections, note anchors."""
    events: list[tuple[int, int, Inline]] = []
    for c in line.corrections:
        if start <= c.start and c.end <= end:
            events.append((c.start, c.end, Choice(c.sic, c.corr, c.rule, c.cert, c.evidence, c.line)))
    for m in markers or []:
        if start <= m.start and m.end <= end and m.linked is not None:
            events.append((m.start, m.end, m.linked))
    events.sort(key=lambda e: e[0])
    items: list[Inline] = []
    pos = start
    for a, b, item in events:
        if a < pos:
            continue
        if a > pos:
            items.append(Text(line.text[pos:a]))
        items.append(item)
        pos = b
    if pos < end:
        items.append(Text(line.text[pos:end]))
    return Run(items)


def classify(line: CleanLine) -> Unit:
    text = line.text
    if (m := P.NOTE_BODY.match(text)) and (line.role in ("", "note")) and m.group(2):
        return Unit("note", line, start=m.start(2))
    if line.role == "note":
        return Unit("note", line, continues=True)
    core = re.sub(rf"(\^?[{P.CIRCLED}])+$", "", text)
    heading = P.classify_heading(core)
    if heading and heading.kind != "section" and len(core) <= 40 and not core.endswith("。"):
        start = core.rindex(heading.title) if heading.title else len(heading.label)
        return Unit("head", line, start=start, heading=heading)
    if heading and heading.kind == "section" and len(core) <= 30 and not core.endswith(P.TERMINAL[:3]):
        return Unit("head", line, start=len(heading.label) + core[len(heading.label):].index(heading.title)
                    if heading.title else len(heading.label), heading=heading)
    return Unit("para", line)


def find_markers(unit: Unit) -> None:
    for m in P.NOTE_MARKER.finditer(unit.line.text, unit.start):
        unit.markers.append(Marker(m.start(), m.end(), m.group(1), m.group(0).startswith("^"), unit.line.number))


def ends_paragraph(unit: Unit) -> bool:
    core = re.sub(rf"(\^?[{P.CIRCLED}])+$", "", unit.line.text).rstrip()
    return core.endswith(P.TERMINAL)


def link_notes(units: list[Unit], pager: Pager) -> None:
    """Mark every page break, and give every note body its marker on the same page."""
    pending: list[Marker] = []
    last_text: Unit | None = None
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.line.page_start:
            unit.page_before = pager.new_page(unit.line, unit.line.page)
        if unit.kind != "note":
            if unit.page_before is None and last_text is units[i - 1] and breaks_without_notes(last_text, unit):
                unit.page_before = pager.new_page(unit.line)
            find_markers(unit)
            pending.extend(unit.markers)
            last_text = unit
            i += 1
            continue
        group = []
        while i < len(units) and units[i].kind == "note" and not (group and units[i].line.page_start):
            group.append(units[i])
            i += 1
        attach_group(group, pending, last_text, pager)
        pending = []
        if i < len(units) and not units[i].line.page_start:
            units[i].page_before = pager.new_page(units[i].line)
    report_orphans(pending, pager)


def report_orphans(pending: list[Marker], pager: Pager) -> None:
    """A superscript marker (^①) whose page has no such note: kept as text, reported."""
    for m in pending:
        if m.linked is None and m.caret:
            m.linked = OrphanMarker(m.n, m.line)
            pager.problems.append(Problem("W010", f"marker {m.n} has no note body on its page",
                                          pager.file, m.line))


def breaks_without_notes(previous: Unit, unit: Unit) -> bool:
    """OCR text: a paragraph split by a blank line was split by a page without notes."""
    return (unit.kind == "para" and previous.kind == "para" and unit.line.role == ""
            and unit.line.number - previous.line.number > 1 and not ends_paragraph(previous))


def attach_group(group: list[Unit], pending: list[Marker], last_text: Unit | None, pager: Pager) -> None:
    if group and group[0].continues:
        continue_note(group.pop(0), pager)
    k = 0
    for unit in group:
        if unit.continues:  # a markerless note line after a marked one: the same note, wrapped
            continue
        k += 1
        n = P.NOTE_BODY.match(unit.line.text).group(1)
        note = Note(n=n, xml_id=f"fn-p{pager.page:03d}-{k}", body=Run(), line=unit.line.number)
        unit.note = note
        candidates = [m for m in pending if m.n == n and m.linked is None]
        marker = next((m for m in reversed(candidates) if m.caret), candidates[-1] if candidates else None)
        if marker:
            marker.linked = note
            pager.notes_linked += 1
        elif last_text is not None:
            note.anchored = False
            pos = len(last_text.line.text)
            last_text.markers.append(Marker(pos, pos, n, False, last_text.line.number, note))
            pager.problems.append(Problem("W011", f"note {n} has no marker on its page; placed at the end of "
                                          f"line {last_text.line.number}", pager.file, unit.line.number))
        else:
            unit.kind, unit.note = "para", None  # nothing to hang it on: keep it as text
            pager.problems.append(Problem("W011", f"note {n} has no marker and no text on its page; "
                                          "kept as a paragraph", pager.file, unit.line.number))
    report_orphans(pending, pager)
    for unit in group:
        if unit.note is not None:
            unit.note.body = run_of(unit.line, unit.start, len(unit.line.text))
            pager.last_note = unit.note
        elif unit.continues and pager.last_note is not None:
            pager.last_note.body.items.extend(run_of(unit.line, 0, len(unit.line.text)).items)
        else:
            unit.kind, unit.start = "para", 0


def continue_note(unit: Unit, pager: Pager) -> None:
    """A page whose notes open without a marker carries on the last note of the page before
    (PDF input, where position and type size say the line is a note)."""
    if pager.last_note is None:
        unit.kind = "para"
        pager.problems.append(Problem("W012", "note text without a marker and no note before it; kept as text",
                                      pager.file, unit.line.number))
        return
    pager.last_note.body.items.extend(run_of(unit.line, 0, len(unit.line.text)).items)


def paragraphs(units: list[Unit], pager: Pager) -> list[Paragraph | PageBreak]:
    """Text units to paragraphs, re-joined across page breaks and note groups."""
    blocks: list[Paragraph | PageBreak] = []
    current: Paragraph | None = None
    previous: Unit | None = None
    gap_break: PageBreak | None = None
    for unit in units:
        if unit.page_before:
            gap_break = unit.page_before
        if unit.kind == "note":
            continue
        run = run_of(unit.line, unit.start, len(unit.line.text), unit.markers)
        if current and previous and joins(previous, unit):
            if gap_break:
                current.run.items.append(gap_break)
            current.run.items.extend(run.items)
            current.rejoined += 1
            pager.rejoined += 1
        else:
            if gap_break:
                blocks.append(gap_break)
            current = Paragraph(run, unit.line.number)
            blocks.append(current)
        gap_break = None
        previous = unit
    if gap_break:
        blocks.append(gap_break)
    return blocks


def joins(previous: Unit, unit: Unit) -> bool:
    if unit.line.role == "continuation":
        return True
    if unit.line.role in ("paragraph", "note"):
        return False
    return not ends_paragraph(previous)
