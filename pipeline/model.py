"""The data that passes between stages.

Stages hand each other these dataclasses and nothing else: ingest yields a
`Source`, clean a `CleanText`, structure a `Document`, annotate enriches that
`Document` with `Span`s and `Entity`s, and the TEI stage serialises it.

Inline content (a paragraph, a heading, a footnote body) is a `Run`: a list of
inline items plus annotation spans.  Span offsets count characters of the
*reading text* -- the concatenation of `Text.text` and `Choice.corr`, with
notes and page breaks taking no width -- so an annotator can work on a plain
string and never sees the markup.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

# ---------------------------------------------------------------- problems

@dataclass(frozen=True)
class Problem:
    """A warning or error with a stable code and the source line it came from."""

    code: str
    message: str
    file: str = ""
    line: int | None = None
    severity: str = "warning"  # "info" | "warning" | "error"
    page: int | None = None  # the physical page, where the input has pages (PDF)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.page:
            where += f" p.{self.page}"
        return f"{self.code} {where} {self.message}".replace("  ", " ")


# ---------------------------------------------------------------- ingest

@dataclass(frozen=True)
class SourceLine:
    """One line of the source as read, before any cleaning.

    `page` is the printed page number where the reader knows it (PDF input);
    `page_start` marks the first line of a physical page where the reader knows
    page boundaries exactly (PDF input).  The OCR text path knows neither.
    `role` lets a layout-aware reader say what a line is ("note" for a
    footnote body recognised by position and type size); "" means unknown.
    """

    number: int
    text: str
    page: str | None = None
    page_start: bool = False
    role: str = ""


@dataclass
class Source:
    path: Path
    lines: list[SourceLine]
    encoding: str
    sha256: str
    dropped: list[Problem] = field(default_factory=list)  # running heads, page numbers

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def stem(self) -> str:
        return self.path.stem


# ---------------------------------------------------------------- clean

@dataclass(frozen=True)
class Correction:
    """A substantive change of the text: `sic` in the source became `corr`.

    `start`/`end` index the corrected line text.  `rule` is the id of the rule
    (declared in the TEI header) and `evidence` says in words why.
    """

    start: int
    end: int
    sic: str
    corr: str
    rule: str
    cert: str  # "high" | "medium" | "low"
    evidence: str
    line: int


@dataclass
class CleanLine:
    number: int
    text: str
    corrections: list[Correction] = field(default_factory=list)
    page: str | None = None
    page_start: bool = False
    role: str = ""


@dataclass
class CleanText:
    source: Source
    lines: list[CleanLine]
    normalisations: dict[str, int] = field(default_factory=dict)  # rule -> count
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- inline content

@dataclass
class Text:
    text: str


@dataclass
class Choice:
    sic: str
    corr: str
    rule: str
    cert: str
    evidence: str
    line: int


@dataclass
class PageBreak:
    n: str | None = None
    line: int | None = None


@dataclass
class Note:
    """A footnote placed at its anchor.  `n` is the printed marker (①)."""

    n: str
    xml_id: str
    body: "Run"
    line: int
    place: str = "foot"
    type: str = ""  # "" for the author's notes, "editorial" for the editor's
    resp: str = ""
    anchored: bool = True  # False: body found without a marker on its page


@dataclass
class OrphanMarker:
    """A note marker whose page has no note body: kept as text, reported."""

    n: str
    line: int


Inline = Union[Text, Choice, PageBreak, Note, OrphanMarker]


def reading_width(item: Inline) -> int:
    """How many reading-text characters an item takes (notes and page breaks: none)."""
    if isinstance(item, Text):
        return len(item.text)
    if isinstance(item, Choice):
        return len(item.corr)
    if isinstance(item, OrphanMarker):
        return len(item.n)
    return 0


@dataclass(frozen=True)
class Span:
    """An annotation over reading-text offsets [start, end)."""

    start: int
    end: int
    tag: str  # persName | placeName | orgName | title | date
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass
class Run:
    items: list[Inline] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    def reading_text(self) -> str:
        out: list[str] = []
        for item in self.items:
            if isinstance(item, Text):
                out.append(item.text)
            elif isinstance(item, Choice):
                out.append(item.corr)
            elif isinstance(item, OrphanMarker):
                out.append(item.n)
        return "".join(out)

    def notes(self) -> list[Note]:
        return [i for i in self.items if isinstance(i, Note)]


# ---------------------------------------------------------------- structure

@dataclass
class Paragraph:
    run: Run
    line: int
    rejoined: int = 0  # how many page breaks this paragraph was re-joined across


@dataclass
class Div:
    type: str  # preface | chapter | section | appendix | bibliography | afterword | ...
    xml_id: str
    head: Run
    label: str = ""  # 第一章, 一、
    n: str = ""
    line: int = 0
    blocks: list[Paragraph | PageBreak] = field(default_factory=list)
    page_before: PageBreak | None = None  # a page break just before the heading
    divs: list["Div"] = field(default_factory=list)


@dataclass
class TitleLine:
    role: str  # title | author | publisher | series | other
    run: Run
    line: int


@dataclass
class TitlePage:
    lines: list[TitleLine]
    first_line: int
    page_break: PageBreak | None = None  # the page break that opens it, when known


@dataclass
class TocEntry:
    level: int
    label: str
    title: str
    page: str
    line: int
    raw: str  # the entry as printed (dot leaders and page kept)
    title_run: Run | None = None  # the title with its corrections
    target: str = ""  # xml:id of the div it points to, when it exists
    page_break: PageBreak | None = None  # a page of the 目录 starts with this entry


@dataclass
class Imprint:
    """The CIP data block and the colophon (版权页), as lines of text plus
    the fields extracted from them for the header."""

    lines: list[tuple[str, str, Run | PageBreak]]  # (CIP | colophon, printed label such as 书名, line)
    first_line: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Entity:
    xml_id: str
    type: str  # person | place | org | work
    name: str
    aliases: tuple[str, ...] = ()
    english: str = ""
    wikidata: str = ""
    note: str = ""
    from_register: bool = True


@dataclass
class Document:
    source: Source
    title_pages: list[TitlePage] = field(default_factory=list)
    imprint: Imprint | None = None
    front_divs: list[Div] = field(default_factory=list)  # preface
    toc: list[TocEntry] = field(default_factory=list)
    toc_head: Run | None = None
    toc_line: int = 0
    toc_page_break: PageBreak | None = None
    body_page_break: PageBreak | None = None  # the page the body opens on, when known
    body_head: Run | None = None  # a title printed above the first chapter
    body_blocks: list[Paragraph | PageBreak] = field(default_factory=list)  # text before any chapter
    body: list[Div] = field(default_factory=list)
    back: list[Div] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    normalisations: dict[str, int] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    candidates: list["Candidate"] = field(default_factory=list)  # annotate: names the register lacks


# ---------------------------------------------------------------- annotate

@dataclass
class Candidate:
    """A name found by discovery that the register does not know: one row of
    `output/reports/<book>.entity-candidates.tsv`, ready to become a register entry."""

    surface: str
    type: str  # person | place | org
    count: int
    contexts: list[str] = field(default_factory=list)  # the first few, with a little text around
    first_line: int = 0
