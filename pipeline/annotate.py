"""Stage 4, annotate: names, titles and dates as `Span`s over every Run, the
register's entries that occur as `Document.entities`, editorial notes, and
names the register lacks as `Document.candidates`.

Decisions (the TEI page documents them for readers):
- a title span covers what is inside 《》, without the brackets;
- a mention takes the register's id as `ref`; a name found by discovery only
  gets `type="candidate"` and no `ref`; so does a 《》 title not in the register;
- a surface shared by register entries (布什) is resolved by the year of the
  nearest date in its paragraph (or, in a footnote, in the paragraph it
  annotates) and the entries' context words; unresolved it is tagged without
  `ref` and reported (A002);
- names inside a title are part of the title and not tagged; dates are;
- `Document.entities` lists the register entries that occur, in register order;
- the imprint (CIP data, colophon) is never annotated;
- annotate replaces the spans of every run it visits, so running it twice
  gives the same document.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .annotate_dates import DateFound, find_dates
from .annotate_discovery import Evidence, Occurrence, Vote, discover, typed
from .annotate_jieba import JIEBA_TAG, Token, tokens, words_key
from .annotate_notes import apply_notes, load_annotations
from .annotate_register import (
    Register,
    ambiguity_problem,
    find_mentions,
    load_register,
    resolve,
)
from .annotate_spans import (
    RANK_DATE,
    RANK_DISCOVERY,
    RANK_REGISTER,
    RANK_TITLE,
    Proposal,
    RunSite,
    iter_runs,
    select,
)
from .atomic import write_atomic
from .model import Candidate, Document, Entity, Problem, Span

BOOK_TITLE = re.compile(r"《([^《》]+)》")
CANDIDATE = (("type", "candidate"),)
CONTEXT_CHARS = 12  # each side of a candidate's occurrence in the report
MAX_CONTEXTS = 3
TYPE_OF_TAG = {"persName": "person", "placeName": "place", "orgName": "org", "title": "work"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def jieba_words(register: Register) -> tuple[tuple[str, str], ...]:
    """The register's Chinese names, as words jieba must not cut apart, with the tag discovery would give."""
    words = {(s, JIEBA_TAG[e.type]) for e in register.entries for s in e.surfaces if HAN.search(s)}
    return tuple(sorted(words))


def annotate(doc: Document, register: Path | None, annotations: Path | None,
             discover: bool = True) -> Document:
    """Annotate `doc` in place and return it."""
    RECENT.next_build()
    notes, problems = load_annotations(annotations)
    problems += apply_notes(list(iter_runs(doc)), notes, str(annotations))
    tagger = Tagger(load_register(register), doc.source.name, discover)
    tagger.tag(list(iter_runs(doc)))  # again: the editorial notes' bodies are runs too
    doc.entities = tagger.entities()
    doc.candidates = tagger.candidates()
    doc.problems.extend(problems + tagger.problems)
    return doc


ScanAnswer = tuple[list[Occurrence], list[Vote], list[DateFound]]  # names, their votes, dates


class RecentScans:
    """Discovery's answers for the runs of the last two builds in this process.

    Discovery costs ≈ 0.4 s on a book 20× the sample, and a rebuild after an edit
    (the build server, `edition watch`) asks about the same runs again; an answer
    depends only on the run's text and the words jieba was given.  Kept for two
    builds, so memory stays bounded by the book.
    """

    def __init__(self) -> None:
        self.current: dict[tuple[str, str, str], ScanAnswer] = {}
        self.previous: dict[tuple[str, str, str], ScanAnswer] = {}

    def next_build(self) -> None:
        if self.current:
            self.previous, self.current = self.current, {}

    def get(self, key: tuple[str, str, str]) -> ScanAnswer | None:
        answer = self.current.get(key) or self.previous.get(key)
        if answer is not None:
            self.current[key] = answer
        return answer


RECENT = RecentScans()


@dataclass
class Scan:
    """What the first pass found in one run."""

    site: RunSite
    text: str
    dates: list[DateFound]
    names: list[Occurrence]


@dataclass
class Tagger:
    register: Register
    file: str
    discover: bool = True
    evidence: Evidence = field(default_factory=Evidence)
    used: set[str] = field(default_factory=set)
    found: dict[str, list[tuple[str, str, int]]] = field(default_factory=lambda: defaultdict(list))
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def jieba_words(self) -> tuple[tuple[str, str], ...]:
        return jieba_words(self.register)

    @cached_property
    def scan_key(self) -> tuple[str, str]:
        """The book and the words jieba is given: with a run's text, what RecentScans keys an answer by."""
        return Path(self.file).stem, words_key(self.jieba_words) if self.discover else ""

    def tag(self, sites: list[RunSite]) -> None:
        # Pass 1 collects discovery's type votes over the whole document; pass 2 decides.
        scans = [self.scan(site) for site in sites]
        years = {id(s.site.run): [(d.start, d.year) for d in s.dates if d.year is not None] for s in scans}
        for scan in scans:
            context = years.get(id(scan.site.parent), []) if scan.site.parent is not None else []
            scan.site.run.spans = select(self.proposals(scan, years[id(scan.site.run)], context), scan.site.run)
            self.record(scan)

    def scan(self, site: RunSite) -> Scan:
        text = site.run.reading_text()
        key = (*self.scan_key, text)
        answer = RECENT.get(key)
        if answer is None:
            names: list[Occurrence] = []
            votes: list[Vote] = []
            if self.discover:
                # A note in English has names too (citations); only Chinese text needs jieba.
                toks: list[Token] = tokens(text, self.jieba_words, key[0]) if HAN.search(text) else []
                names, votes = discover(text, toks)
            answer = RECENT.current[key] = (names, votes, find_dates(text))
        names, votes, dates = answer
        for surface, kind, weight in votes:
            self.evidence.add(surface, kind, weight)
        return Scan(site, text, dates, names)

    def proposals(self, scan: Scan, years: list[tuple[int, int]], parent_years: list[tuple[int, int]]) -> list[Proposal]:
        out: list[Proposal] = []
        for m in BOOK_TITLE.finditer(scan.text):
            out.append(Proposal(Span(m.start(1), m.end(1), "title", self.work_ref(m.group(1))), RANK_TITLE))
        for mention in find_mentions(self.register, scan.text):
            year = context_year(mention.start, years) or context_year(len(scan.text) + 1, parent_years[-1:])
            entry = resolve(mention, year, scan.text)
            if entry is None:
                self.problems.append(ambiguity_problem(mention, self.file, scan.site.line))
                attrs: tuple[tuple[str, str], ...] = ()
                tag = mention.entries[0].tag
            else:
                attrs, tag = (("ref", f"#{entry.xml_id}"),), entry.tag
            out.append(Proposal(Span(mention.start, mention.end, tag, attrs), RANK_REGISTER))
        for date in scan.dates:
            out.append(Proposal(Span(date.start, date.end, "date", date.attrs), RANK_DATE))
        for occ in scan.names:
            tag = typed(occ, self.evidence)
            if tag and occ.surface not in self.register.by_surface:
                out.append(Proposal(Span(occ.start, occ.end, tag, CANDIDATE), RANK_DISCOVERY))
        return out

    def work_ref(self, title: str) -> tuple[tuple[str, str], ...]:
        works = [e for e in self.register.by_surface.get(title, []) if e.type == "work"]
        return (("ref", f"#{works[0].xml_id}"),) if len(works) == 1 else CANDIDATE

    def record(self, scan: Scan) -> None:
        for span in scan.site.run.spans:
            ref = dict(span.attrs).get("ref")
            if ref:
                self.used.add(ref[1:])
            elif span.tag in TYPE_OF_TAG and span.attrs == CANDIDATE:
                lo, hi = max(0, span.start - CONTEXT_CHARS), span.end + CONTEXT_CHARS
                self.found[scan.text[span.start:span.end]].append(
                    (TYPE_OF_TAG[span.tag], scan.text[lo:hi].replace("\t", " ").replace("\n", " "), scan.site.line))

    def entities(self) -> list[Entity]:
        return [e.to_entity() for e in self.register.entries if e.xml_id in self.used]

    def candidates(self) -> list[Candidate]:
        out = [
            Candidate(surface, seen[0][0], len(seen), [c for _, c, _ in seen[:MAX_CONTEXTS]], seen[0][2])
            for surface, seen in self.found.items()
        ]
        return sorted(out, key=lambda c: (-c.count, c.first_line, c.surface))


def context_year(offset: int, years: list[tuple[int, int]]) -> int | None:
    """The year of the nearest date before `offset`, else of the first after it."""
    before = [year for start, year in years if start < offset]
    if before:
        return before[-1]
    after = [year for start, year in years if start >= offset]
    return after[0] if after else None


CANDIDATE_COLUMNS = ("surface", "type", "count", "contexts", "first_line")


def write_candidates(doc: Document, path: Path) -> None:
    """Write `doc.candidates` as TSV (atomically: a reader never sees half a file)."""
    lines = ["\t".join(CANDIDATE_COLUMNS)]
    for c in doc.candidates:
        lines.append("\t".join((c.surface, c.type, str(c.count), " | ".join(c.contexts), str(c.first_line))))
    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
