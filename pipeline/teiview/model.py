"""The view model: what renderers get from a TEI edition (plain dataclasses).

Markup fields hold XHTML-compatible ``markupsafe.Markup`` made by a Flavor,
with every text node escaped; ``*_text`` fields hold plain reading text.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape


def markup(template: str, *args: object) -> Markup:
    """`Markup(template).format(*args)`: each argument escaped unless it is markup
    already, without markupsafe's formatter, which runs in Python and is ≈ 8× slower
    (a book 20× this one formats ≈ 90 000 pieces)."""
    return Markup(template.format(*[escape(a) for a in args]))


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str
    authors: tuple[str, ...]
    publisher: str  # of this edition
    edition_date: str  # ISO, from publicationStmt/date
    edition_id: str
    licence: str
    licence_url: str
    language: str
    print_title: str
    print_publisher: str
    print_place: str
    print_date: str  # ISO when known, else as printed
    isbn: str
    series: str
    clc: str
    subjects: tuple[str, ...]
    description: str


# What a top-level piece of <text> is, by its element and @type (never by its xml:id).
PART_KINDS = ("titlepage", "imprint", "contents", "front", "body-head", "body", "back", "other")


@dataclass(frozen=True)
class Part:
    """A top-level piece of <text>: what a renderer shows as a whole (one EPUB file).

    ``key`` is unique among parts and never equals an xml:id of another element,
    so ``part_of`` (id -> key) and the keys never mix up.
    """

    key: str
    kind: str  # one of PART_KINDS
    id: str = ""  # the element's xml:id, "" when it has none


@dataclass(frozen=True)
class Loc:
    part: str
    div: str | None
    page: str | None
    page_seq: int


@dataclass
class Footnote:
    id: str
    marker: str
    kind: str  # "foot" (the author's) | "editorial" | other @type/@place
    type: str  # @type, e.g. "unanchored"
    resp: str
    ref_id: str  # anchor of the note reference in the text
    loc: Loc
    body: Markup = field(default_factory=Markup)
    # The note this one sits in (an editor's note on an author's footnote), "" when
    # it is in the text itself; its reference is then inside that note's body.
    parent: str = ""


@dataclass(frozen=True)
class PageBreak:
    anchor: str
    n: str | None
    seq: int  # 1-based ordinal of the page that starts here
    loc: Loc


@dataclass(frozen=True)
class NameRef:
    anchor: str
    tag: str  # persName | placeName | orgName | title
    refs: tuple[str, ...]  # register ids, empty for candidates
    type: str
    text: str
    loc: Loc


@dataclass(frozen=True)
class DateRef:
    anchor: str
    text: str
    when: str
    from_: str
    to: str
    not_before: str
    not_after: str
    loc: Loc
    # The sentence the date stands in, as reading text (for timelines).
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Correction:
    id: str
    sic: str
    corr: str
    resp: str
    cert: str
    evidence: str
    loc: Loc
    rule: str = ""  # what the rule @resp points to does (its respStmt/resp), "" if unknown
    # The reading text of each note whose @target names this correction (the editor's
    # reason for it), in document order: the list of corrections shows it beside the rule.
    reasons: tuple[str, ...] = ()


@dataclass
class Entity:
    id: str
    kind: str  # person | place | org | work
    name: str  # in the edition's language when there is one
    names: tuple[tuple[str, str], ...]  # (lang, name)
    wikidata: str
    occurrences: list[NameRef] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    kind: str  # p | ab | list | quote | other
    html: Markup
    notes: tuple[Footnote, ...]


@dataclass
class Division:
    id: str
    type: str
    n: str
    label: Markup
    head: Markup  # without the label
    head_text: str  # plain reading text of label + head, no notes
    heading: Markup  # label (as <span class="label">) + head, whitespace as in the TEI
    blocks: list[Block]
    head_notes: tuple[Footnote, ...]
    children: list[Division]
    lang: str
    # Page breaks that open this division, shown before its heading (TEI: a pb
    # before the div or before its head).
    lead: Markup = field(default_factory=Markup)
    part: str = ""  # the part key of a top-level division ("" for the divisions inside it)

    @property
    def notes(self) -> list[Footnote]:
        """Notes of this division's own head and blocks (not its children's)."""
        return [*self.head_notes, *(n for b in self.blocks for n in b.notes)]

    def walk(self) -> list[Division]:
        return [self, *(d for c in self.children for d in c.walk())]


@dataclass(frozen=True)
class Head:
    html: Markup
    text: str
    notes: tuple[Footnote, ...]
    lead: Markup = field(default_factory=Markup)  # page breaks before it


@dataclass(frozen=True)
class TitleLine:
    # title (titlePart untyped or @type="main") | sub | series | author
    # | publisher | edition | date | other
    kind: str
    html: Markup
    text: str


@dataclass(frozen=True)
class TitlePageView:
    key: str
    n: str
    lines: tuple[TitleLine, ...]
    lead: Markup = field(default_factory=Markup)  # page breaks that open it


@dataclass(frozen=True)
class ImprintLine:
    type: str  # CIP | colophon | ""
    html: Markup  # the whole line, label included
    text: str
    label: Markup = field(default_factory=Markup)  # the printed label (书名, 定价), "" when none
    value: Markup = field(default_factory=Markup)  # the line without its label
    lead: Markup = field(default_factory=Markup)  # page breaks before the line


@dataclass(frozen=True)
class Imprint:
    """One div type="imprint" (a book may print more than one: CIP page, colophon)."""

    part: str
    id: str  # its xml:id, "" when none
    lines: tuple[ImprintLine, ...]


@dataclass
class TocEntry:
    level: int
    html: Markup  # the title (the <ref> or <seg>), without label and page
    text: str
    target: str | None
    page: str
    children: list[TocEntry] = field(default_factory=list)
    label: Markup = field(default_factory=Markup)  # the printed label beside it (第一章, 一、), "" when none
    label_text: str = ""
    lead: Markup = field(default_factory=Markup)  # page breaks before the entry (between list items)

    @property
    def heading(self) -> Markup:
        """Label (as <span class="label">) and title, with a gap unless the label ends in 、."""
        if not self.label:
            return self.html
        gap = "" if self.label_text[-1:] in LABEL_ENDS else " "
        return markup('<span class="label">{}</span>{}{}', self.label, gap, self.html)

    @property
    def full_text(self) -> str:
        """Label and title as a reader says them: 第一章 绪论, 一、问题的提出."""
        return join_label(self.label_text, self.text)


@dataclass(frozen=True)
class Contents:
    id: str
    head: Markup
    head_text: str
    entries: tuple[TocEntry, ...]
    lead: Markup = field(default_factory=Markup)  # page breaks before its heading
    part: str = ""  # its part key
    # Paragraphs of the div around its list (a note on how to read it): those printed
    # before the first list, and the others (the lists' items are all in `entries`).
    blocks_before: tuple[Block, ...] = ()
    blocks_after: tuple[Block, ...] = ()

    @property
    def has_pages(self) -> bool:
        """Some entry prints a page number (then a reader is told what the numbers are)."""
        return prints_pages(self.entries)


def prints_pages(entries: Iterable[TocEntry]) -> bool:
    return any(e.page or prints_pages(e.children) for e in entries)


@dataclass
class Edition:
    meta: Metadata
    title_pages: list[TitlePageView]
    imprint: list[ImprintLine]
    front: list[Division]
    contents: Contents | None
    body_head: Head | None
    body: list[Division]
    back: list[Division]
    notes: list[Footnote]
    pages: list[PageBreak]
    entities: list[Entity]
    names: list[NameRef]
    dates: list[DateRef]
    corrections: list[Correction]
    part_of: dict[str, str]
    rules: dict[str, str] = field(default_factory=dict)  # respStmt id -> its resp
    first_body: str | None = None  # part key of the first body div (the body's <head> goes there)
    # Text the body prints before its first div (all of a book without chapters);
    # part "body-head", shown after body_head.
    body_blocks: list[Block] = field(default_factory=list)
    # Every top-level piece in document order, and each imprint div on its own
    # (``imprint`` above is all their lines in one list).
    parts: list[Part] = field(default_factory=list)
    imprints: list[Imprint] = field(default_factory=list)
    # The contents divs after the first (a 目录 of the appendices, a list of
    # figures): parts of their own, while ``contents`` is the book's 目录.
    other_contents: list[Contents] = field(default_factory=list)
    # Every xml:id of the file and every anchor teiview made: an id a renderer
    # makes for itself (a heading, the page frame) steps aside for these.
    ids: frozenset[str] = frozenset()

    def divisions(self) -> list[Division]:
        return [d for top in (*self.front, *self.body, *self.back) for d in top.walk()]

    def part_keys(self, kind: str) -> list[str]:
        """The keys of the parts of one kind, in document order."""
        return [p.key for p in self.parts if p.kind == kind]

    @property
    def body_head_part(self) -> str | None:
        """The part key of the text before the first body div ("body-head" unless an id took it)."""
        return next(iter(self.part_keys("body-head")), None)


# Enumeration marks that already separate a label from its title (一、 1. (1)).
LABEL_ENDS = "、．.：:)）"


def join_label(label: str, title: str) -> str:
    """第一章 + 绪论 -> 第一章 绪论; 一、 + 问题 -> 一、问题 (no gap after 、)."""
    if not label or not title:
        return label or title
    return label + title if label[-1] in LABEL_ENDS else f"{label} {title}"
