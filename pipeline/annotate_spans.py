"""Where annotation looks (every Run of a Document but the imprint) and how
competing proposals become the spans of one Run.

Proposals come from several finders (titles in 《》, the register, dates,
discovery).  They are accepted strongest first; a proposal that would cross an
accepted span, split a `Choice`, or nest where TEI nesting makes no sense is
dropped.  The one nesting kept is a date inside a title
(《1995年…的决定》): names inside a title are part of the title, not mentions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .model import (
    Choice,
    Div,
    Document,
    Note,
    OrphanMarker,
    Paragraph,
    Run,
    Span,
    Text,
    reading_width,
)

# Ranks: lower wins.  A title in 《》 is unambiguous punctuation; the register is
# the editor's word; dates are rule-based; discovery is a guess.
RANK_TITLE, RANK_REGISTER, RANK_DATE, RANK_DISCOVERY = 0, 1, 2, 3
NESTABLE = {("title", "date")}  # (outer tag, inner tag)


@dataclass(frozen=True)
class Proposal:
    span: Span
    rank: int


@dataclass(frozen=True)
class RunSite:
    """A Run to annotate, with the source line it starts at and, for a note
    body, the Run its marker stands in (whose dates give context)."""

    run: Run
    line: int
    parent: Run | None = None


def iter_runs(doc: Document) -> Iterator[RunSite]:
    """Every Run of the document in reading order, the imprint excepted
    (its CIP classification line is bibliographic data, not prose)."""
    for page in doc.title_pages:
        for title_line in page.lines:
            yield from with_notes(RunSite(title_line.run, title_line.line))
    for div in doc.front_divs:
        yield from div_runs(div)
    if doc.toc_head is not None:
        yield from with_notes(RunSite(doc.toc_head, doc.toc_line))
    if doc.body_head is not None:
        yield from with_notes(RunSite(doc.body_head, doc.body[0].line if doc.body else 0))
    for div in (*doc.body, *doc.back):
        yield from div_runs(div)


def div_runs(div: Div) -> Iterator[RunSite]:
    yield from with_notes(RunSite(div.head, div.line))
    for block in div.blocks:
        if isinstance(block, Paragraph):  # page breaks between paragraphs carry no text
            yield from with_notes(RunSite(block.run, block.line))
    for sub in div.divs:
        yield from div_runs(sub)


def with_notes(site: RunSite) -> Iterator[RunSite]:
    yield site
    for note in site.run.notes():
        yield from with_notes(RunSite(note.body, note.line, parent=site.run))


def choice_bounds(run: Run) -> list[tuple[int, int]]:
    """Reading-text intervals of the run's Choice items (which a span may not split)."""
    bounds: list[tuple[int, int]] = []
    offset = 0
    for item in run.items:
        if isinstance(item, Text):
            offset += len(item.text)
        elif isinstance(item, Choice):
            bounds.append((offset, offset + len(item.corr)))
            offset += len(item.corr)
        elif isinstance(item, OrphanMarker):
            offset += len(item.n)
    return bounds


def splits_choice(span: Span, bounds: list[tuple[int, int]]) -> bool:
    return any(s < span.start < e or s < span.end < e for s, e in bounds)


def select(proposals: list[Proposal], run: Run) -> list[Span]:
    """The accepted spans, in document order (outer before inner)."""
    bounds = choice_bounds(run)
    accepted: list[Span] = []
    for proposal in sorted(proposals, key=lambda p: (p.rank, p.span.start - p.span.end, p.span.start)):
        span = proposal.span
        if span.end <= span.start or splits_choice(span, bounds):
            continue
        if all(compatible(span, other) for other in accepted):
            accepted.append(span)
    return sorted(accepted, key=lambda s: (s.start, -s.end, s.tag))


def compatible(new: Span, old: Span) -> bool:
    if new.end <= old.start or old.end <= new.start:
        return True
    if old.start <= new.start and new.end <= old.end and (old.start, old.end) != (new.start, new.end):
        return (old.tag, new.tag) in NESTABLE
    if new.start <= old.start and old.end <= new.end and (old.start, old.end) != (new.start, new.end):
        return (new.tag, old.tag) in NESTABLE
    return False


def insert_note(run: Run, offset: int, note: Note) -> None:
    """Put `note` at reading-text `offset`, after any notes already there,
    splitting a Text item if the offset falls inside it (a Choice is never
    split: an offset inside one puts the note after it)."""
    position = 0
    for index, item in enumerate(run.items):
        width = reading_width(item)
        if isinstance(item, Text) and position < offset < position + width:
            cut = offset - position
            run.items[index:index + 1] = [Text(item.text[:cut]), note, Text(item.text[cut:])]
            return
        position += width
        if position > offset or (position == offset and width > 0):
            # Step over zero-width items (notes, page breaks) that already stand here.
            after = index + 1
            while after < len(run.items) and reading_width(run.items[after]) == 0 and position == offset:
                after += 1
            run.items.insert(after, note)
            return
    run.items.append(note)


