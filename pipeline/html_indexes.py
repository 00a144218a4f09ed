"""The edition's finding aids: registers, the timeline, the list of corrections.

Each is built from the teiview `Edition` into small dataclasses the
templates print.  Links point at the anchors teiview generated in the text.
"""
from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from .html_flavor import HOME
from .teiview import NAME_TAGS, DateRef, Edition, Loc, NameRef, free_id, sort_key

REGISTERS = (  # (entity kind, file, title)
    ("person", "persons.html", "人名索引"),
    ("place", "places.html", "地名索引"),
    ("org", "orgs.html", "机构索引"),
    ("work", "works.html", "著作索引"),
)
CERTAINTY = {"high": "高", "medium": "中", "low": "低"}


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    full_label: str = ""  # for screen readers when `label` is just a number


@dataclass(frozen=True)
class OccurrenceGroup:
    """The occurrences of a name in one part of the book: 前言 1 2 3."""

    where: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class AltName:
    lang: str
    text: str


@dataclass
class IndexEntry:
    anchor: str
    name: str
    sort: tuple[str, str]
    alternatives: list[AltName]
    wikidata: str
    candidate: bool
    occurrences: list[OccurrenceGroup]


@dataclass
class IndexGroup:
    key: str
    anchor: str  # of its heading: letter-A, unless the TEI has that id (the register's ids are on the page)
    entries: list[IndexEntry] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEvent:
    sort: tuple[int, str, int]
    machine: str  # for <time datetime>, "" when HTML cannot express it
    display: str
    text: str
    before: str
    after: str
    href: str
    where: str


@dataclass(frozen=True)
class CorrectionRow:
    id: str
    sic: str
    corr: str
    rule: str
    cert: str
    href: str
    where: str
    reasons: tuple[str, ...] = ()  # the editor's notes on this correction, shown with the rule


class Places:
    """Turns a teiview location into a link and a short label a reader knows."""

    def __init__(self, part_labels: dict[str, str], files: dict[str, str]) -> None:
        self.part_labels = part_labels
        self.files = files  # part key -> page (HtmlFlavor.files)

    def href(self, loc: Loc, anchor: str) -> str:
        return f"{self.files.get(loc.part, HOME)}#{anchor}"

    def label(self, loc: Loc) -> str:
        where = self.part_labels.get(loc.part, loc.part)
        return f"{where}，第 {loc.page} 页" if loc.page else where


# ---------------------------------------------------------------- registers

def initial(sort: tuple[str, str]) -> str:
    head = sort[0][:1].upper()
    return head if "A" <= head <= "Z" else "#"


def occurrence_links(refs: list[NameRef], places: Places) -> list[OccurrenceGroup]:
    """One numbered link per occurrence, grouped by the place they are in."""
    groups: dict[str, list[Link]] = {}
    for ref in refs:
        where = places.label(ref.loc)
        links = groups.setdefault(where, [])
        k = len(links) + 1
        links.append(Link(places.href(ref.loc, ref.anchor), str(k), f"{where} 第 {k} 处"))
    return [OccurrenceGroup(where, tuple(links)) for where, links in groups.items()]


def register_entries(edition: Edition, kind: str, places: Places) -> list[IndexEntry]:
    entries = []
    for ent in edition.entities:
        if ent.kind != kind:
            continue
        alts = [AltName(lang, text) for lang, text in ent.names if text != ent.name]
        entries.append(IndexEntry(ent.id, ent.name, sort_key(ent.name), alts, ent.wikidata, False,
                                  occurrence_links(ent.occurrences, places)))
    candidates: dict[str, list[NameRef]] = {}
    for ref in edition.names:
        if not ref.refs and NAME_TAGS.get(ref.tag) == kind and ref.text:
            candidates.setdefault(ref.text, []).append(ref)
    for k, (text, refs) in enumerate(sorted(candidates.items(), key=lambda kv: sort_key(kv[0])), 1):
        # An anchor of ours beside the register's own ids on the page: it yields to the TEI's.
        entries.append(IndexEntry(free_id(f"candidate-{kind}-{k}", edition.ids), text, sort_key(text), [], "",
                                  True, occurrence_links(refs, places)))
    return sorted(entries, key=lambda e: (e.sort, e.candidate, e.anchor))


def group_by_initial(entries: list[IndexEntry], tei_ids: Container[str]) -> list[IndexGroup]:
    groups: dict[str, IndexGroup] = {}
    for entry in entries:
        key = initial(entry.sort)
        if key not in groups:
            groups[key] = IndexGroup(key, free_id(f"letter-{key}", tei_ids))
        groups[key].entries.append(entry)
    return [groups[k] for k in sorted(groups, key=lambda k: (k == "#", k))]


# ---------------------------------------------------------------- timeline

HTML_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # what <time datetime> accepts of ISO
YEARLESS = re.compile(r"^--(\d{2})(?:-(\d{2}))?$")  # ISO 8601 month/day without a year


def iso_of(date: DateRef) -> str:
    return date.when or date.from_ or date.not_before or date.to or date.not_after


def sort_key_of(iso: str, order: int) -> tuple[int, str, int]:
    # Dates without a year (--07) cannot be placed among the others: last.
    return (0 if iso[:1].isdigit() else 1, iso, order)


def readable(iso: str) -> str:
    m = YEARLESS.match(iso)
    if m:
        return f"（年份不详）{int(m.group(1))} 月" + (f" {int(m.group(2))} 日" if m.group(2) else "")
    return iso


def display_of(date: DateRef) -> str:
    if date.when:
        return readable(date.when)
    if date.from_ or date.to:
        return f"{readable(date.from_) or '…'} – {readable(date.to) or '…'}"
    return f"{readable(date.not_before) or '…'} – {readable(date.not_after) or '…'}（约）"


def timeline_events(edition: Edition, places: Places) -> list[TimelineEvent]:
    """Dated events in ISO order, each with its sentence (teiview cuts it)."""
    events = []
    for k, date in enumerate(edition.dates):
        iso = iso_of(date)
        machine = iso if HTML_DATE.match(iso) else ""
        events.append(TimelineEvent(sort_key_of(iso, k), machine, display_of(date), date.text,
                                    date.before, date.after, places.href(date.loc, date.anchor),
                                    places.label(date.loc)))
    return sorted(events, key=lambda e: e.sort)


# ---------------------------------------------------------------- corrections

def correction_rows(edition: Edition, places: Places) -> list[CorrectionRow]:
    rows = []
    for c in edition.corrections:
        rule = c.rule or c.resp.lstrip("#") or "—"
        rows.append(CorrectionRow(c.id, c.sic, c.corr, rule, CERTAINTY.get(c.cert, c.cert or "—"),
                                  places.href(c.loc, c.id), places.label(c.loc), c.reasons))
    return rows
