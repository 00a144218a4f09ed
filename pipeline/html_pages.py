"""The pages of the HTML edition as data: what each template is given.

One `Page` per output file.  Text pages hold their rendered division tree
(markup made by teiview with `HtmlFlavor`, so every text node is escaped);
finding-aid pages hold the rows built in `html_indexes`.
"""
from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from .html_flavor import (
    BODY_PAGE,
    HOME,
    HtmlFlavor,
    free_id,
    imprint_heading_ids,
    note_marker,
    toc_heading_id,
)
from .html_indexes import (
    REGISTERS,
    IndexGroup,
    Places,
    correction_rows,
    group_by_initial,
    register_entries,
    timeline_events,
)
from .teiview import (
    Contents,
    Division,
    Edition,
    Footnote,
    Imprint,
    TocEntry,
    markup,
    tidy_heading,
)

MAX_HEADING = 6


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


@dataclass(frozen=True)
class Download:
    href: str
    label: str
    size: str


@dataclass(frozen=True)
class Site:
    title: str
    footer: str
    nav: tuple[NavItem, ...]
    downloads: tuple[Download, ...]
    ids: dict[str, str]  # the page frame's ids (html_flavor.frame_ids), the same on every page


@dataclass(frozen=True)
class NoteView:
    id: str
    ref_id: str
    marker: str
    body: Markup
    nested: bool = False  # a note on a note: shown indented under it


@dataclass(frozen=True)
class Line:
    role: str
    html: Markup
    heading: bool = False
    lead: Markup = field(default_factory=Markup)  # page breaks before the line


@dataclass(frozen=True)
class ImprintBlock:
    """One imprint div, a section of the home page."""

    heading_id: str
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class TitlePageBlock:
    lines: tuple[Line, ...]
    lead: Markup = field(default_factory=Markup)  # page breaks that open the title page


@dataclass(frozen=True)
class TocLine:
    level: int
    html: Markup
    href: str | None
    page: str
    lead: Markup = field(default_factory=Markup)  # page breaks before the entry


@dataclass
class Page:
    filename: str
    template: str
    kind: str
    title: str
    lang: str = "zh-Hans"  # of the text itself; <html> stays zh-Hans for Pagefind
    reading: bool = False  # has the reading switches and the note popover
    indexed: bool = True  # searched by Pagefind
    body: Markup = field(default_factory=Markup)
    notes: list[NoteView] = field(default_factory=list)
    prev: NavItem | None = None
    next: NavItem | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Templates read page-specific data (page.groups, page.events, ...)
        # as attributes; it lives in `extra`.
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)


# ---------------------------------------------------------------- text pages

def division_html(div: Division, level: int, tei_ids: Container[str]) -> Markup:
    """A division and its children as nested <section>s with headings."""
    h = min(level, MAX_HEADING)
    head_id = free_id(f"{div.id}-head", tei_ids)
    heading = markup('<h{} id="{}">{}</h{}>', h, head_id, div.heading, h) if div.heading else Markup("")
    inner = Markup("").join(b.html for b in div.blocks)
    kids = Markup("").join(division_html(c, level + 1, tei_ids) for c in div.children)
    # div.lead: the page breaks that open the division stand above its heading.
    if level == 1:
        return markup("{}{}{}{}", div.lead, heading, inner, kids)
    return markup('<section id="{}" class="div-{}">{}{}{}{}</section>',
        div.id, div.type or "div", div.lead, heading, inner, kids)


def body_opening(edition: Edition) -> tuple[Markup, list[Footnote]]:
    """The body's title and any text before its first div, with their notes."""
    head, blocks = edition.body_head, edition.body_blocks
    html = Markup("").join([head.lead, markup('<p class="book-head">{}</p>', head.html)] if head else [])
    html += Markup("").join(b.html for b in blocks)
    notes = [*(head.notes if head else ()), *(n for b in blocks for n in b.notes)]
    return html, notes


def note_views(notes: list[Footnote]) -> list[NoteView]:
    return [NoteView(n.id, n.ref_id, note_marker(n), n.body, bool(n.parent)) for n in notes]


def short_label(div: Division) -> str:
    """A label for links: 第一章 绪论 → 第一章; 前　　言 → 前言."""
    label = str(Markup(div.label).striptags()).strip() if div.label else ""
    return label or tidy_heading(div.head_text) or div.id


def text_pages(edition: Edition, flavor: HtmlFlavor) -> list[Page]:
    """A page per division and per contents div after the first, in the book's order, linked prev/next."""
    opening, opening_notes = body_opening(edition)
    pages = {div.part: division_page(div, flavor) for div in (*edition.front, *edition.body, *edition.back)}
    titles = contents_titles(edition)
    pages.update({c.part: contents_page(edition, c, titles[c.part], flavor) for c in edition.other_contents})
    if opening and edition.body:  # the body's title and opening text stand on chapter 1's page
        first = pages[edition.body[0].part]
        first.body, first.notes = opening + first.body, [*note_views(opening_notes), *first.notes]
    elif opening:  # a body without divs: its text is a page of its own
        title = tidy_heading(edition.body_head.text) if edition.body_head else ""
        key = edition.body_head_part or "body-head"
        page = Page(flavor.files.get(key, BODY_PAGE), "text.html", "text", title or edition.meta.title or "正文",
                    reading=True, body=opening, notes=note_views(opening_notes))
        page.extra["div_id"] = key
        pages[key] = page
    order = {p.key: k for k, p in enumerate(edition.parts)}
    return link_pages([pages[key] for key in sorted(pages, key=lambda key: order.get(key, len(order)))])


def division_page(div: Division, flavor: HtmlFlavor) -> Page:
    body = division_html(div, 1, flavor.part_of)
    notes = [n for d in div.walk() for n in d.notes]
    page = Page(flavor.files[div.part], "text.html", "text", tidy_heading(div.head_text) or div.id,
                lang=div.lang, reading=True, body=body, notes=note_views(notes))
    page.extra["div_id"] = div.id
    return page


def contents_titles(edition: Edition) -> dict[str, str]:
    """Part key -> title of each contents div: its head, else 目录, 目录（2）, ... so that none reads alike."""
    every = [edition.contents, *edition.other_contents] if edition.contents else []
    return {c.part: tidy_heading(c.head_text) or ("目录" + (f"（{k}）" if k > 1 else ""))
            for k, c in enumerate(every, 1)}


def contents_page(edition: Edition, contents: Contents, title: str, flavor: HtmlFlavor) -> Page:
    """A contents div after the book's 目录 (the appendices', a list of figures): a list like the 目录's."""
    notes = [n for n in edition.notes if n.loc.part == contents.part]
    page = Page(flavor.files[contents.part], "contents.html", "text", title, reading=True, notes=note_views(notes))
    page.extra.update(div_id=contents.id, toc=toc_lines(contents.entries, flavor), toc_head=title,
                      toc_id=free_id(f"{contents.id}-head", edition.ids), toc_lead=contents.lead,
                      blocks_before=contents.blocks_before, blocks_after=contents.blocks_after)
    return page


def link_pages(pages: list[Page]) -> list[Page]:
    for k, page in enumerate(pages):
        if k > 0:
            page.prev = NavItem(pages[k - 1].filename, pages[k - 1].title)
        if k + 1 < len(pages):
            page.next = NavItem(pages[k + 1].filename, pages[k + 1].title)
    return pages


# ---------------------------------------------------------------- home

def title_page_blocks(edition: Edition) -> list[TitlePageBlock]:
    blocks = []
    for i, tp in enumerate(edition.title_pages):
        first_title = next((j for j, line in enumerate(tp.lines) if line.kind == "title"), None)
        lines = tuple(Line(line.kind, line.html, heading=(i == 0 and j == first_title))
                      for j, line in enumerate(tp.lines))
        blocks.append(TitlePageBlock(lines, tp.lead))
    return blocks


def toc_lines(entries: tuple[TocEntry, ...] | list[TocEntry], flavor: HtmlFlavor) -> list[TocLine]:
    out: list[TocLine] = []
    for e in entries:
        href = flavor.href(e.target) if e.target and e.target in flavor.part_of else None
        out.append(TocLine(e.level, e.heading, href, e.page, e.lead))
        out += toc_lines(e.children, flavor)
    return out


def home_page(edition: Edition, flavor: HtmlFlavor, texts: list[Page]) -> Page:
    page = Page(HOME, "home.html", "home", edition.meta.title, reading=True)
    page.extra["title_pages"] = title_page_blocks(edition)
    # Every page needs one h1; without a recognisable title line it is ours.
    page.extra["own_heading"] = not any(line.heading for tp in page.extra["title_pages"] for line in tp.lines)
    page.extra["imprints"] = imprint_blocks(edition, flavor)
    page.extra["toc_id"] = toc_heading_id(flavor.part_of)
    page.extra["toc_lead"] = edition.contents.lead if edition.contents is not None else Markup("")
    if edition.contents is not None:
        page.extra["toc_head"] = tidy_heading(edition.contents.head_text) or "目录"
        page.extra["toc"] = toc_lines(edition.contents.entries, flavor)
    else:  # no printed contents: list the pages themselves
        page.extra["toc_head"] = "目录"
        page.extra["toc"] = [TocLine(1, markup("{}", p.title), p.filename, "") for p in texts]
    # The other contents divs have pages of their own; the home page leads to them.
    titles = contents_titles(edition)
    page.extra["more_contents"] = [NavItem(flavor.files[c.part], titles[c.part]) for c in edition.other_contents]
    # The title pages and imprint can carry corrections and notes too.
    page.notes = note_views([n for n in edition.notes if flavor.files.get(n.loc.part) == HOME])
    return page


def imprint_blocks(edition: Edition, flavor: HtmlFlavor) -> list[ImprintBlock]:
    """Each imprint div as a section of its own (a book may print a CIP page and a colophon)."""
    ids = imprint_heading_ids(edition.parts, flavor.part_of)
    return [ImprintBlock(ids[imprint.part], "版权页", imprint_lines(imprint))
            for imprint in edition.imprints if imprint.lines]


def imprint_lines(imprint: Imprint) -> tuple[Line, ...]:
    return tuple(Line(line.type or "line", line.html, lead=line.lead) for line in imprint.lines)


# ---------------------------------------------------------------- finding aids

def part_labels(edition: Edition) -> dict[str, str]:
    """Part key -> how a reader names where a thing is, by what the part is (never by its id)."""
    labels = {tp.key: "书名页" for tp in edition.title_pages}
    labels.update({imprint.part: "版权页" for imprint in edition.imprints})
    if edition.body_head_part:
        # The title above chapter 1 is shown on chapter 1's page: name it so.
        labels[edition.body_head_part] = short_label(edition.body[0]) if edition.body else "正文"
    if edition.contents is not None:
        labels[edition.contents.part] = "目录"
    titles = contents_titles(edition)
    labels.update({c.part: titles[c.part] for c in edition.other_contents})
    for div in (*edition.front, *edition.body, *edition.back):
        labels[div.part] = short_label(div)
    return labels


def finding_aid_pages(edition: Edition, flavor: HtmlFlavor) -> list[Page]:
    places = Places(part_labels(edition), flavor.files)
    pages = []
    for kind, filename, title in REGISTERS:
        groups: list[IndexGroup] = group_by_initial(register_entries(edition, kind, places), edition.ids)
        count = sum(len(g.entries) for g in groups)
        page = Page(filename, "register.html", "register", title)
        page.extra.update(groups=groups, summary=f"共 {count} 条，按汉语拼音排序；每条链接到它在书中的每一处。")
        pages.append(page)
    events = timeline_events(edition, places)
    page = Page("timeline.html", "timeline.html", "timeline", "年表")
    page.extra.update(events=events, summary=f"书中标注的 {len(events)} 个日期，按时间排序，附所在句子。")
    pages.append(page)
    rows = correction_rows(edition, places)
    page = Page("corrections.html", "corrections.html", "corrections", "校勘记")
    page.extra.update(corrections=rows, summary=f"本版对 OCR 文本所作的 {len(rows)} 处校正：原文 → 校正、依据与可信度。")
    pages.append(page)
    pages.append(Page("search.html", "search.html", "search", "搜索", indexed=False))
    return pages


def site_nav(pages: list[Page]) -> tuple[NavItem, ...]:
    labels = {"persons.html": "人名", "places.html": "地名", "orgs.html": "机构", "works.html": "著作",
              "timeline.html": "年表", "corrections.html": "校勘记", "search.html": "搜索"}
    names = {p.filename for p in pages}
    return (NavItem(HOME, "首页"), *(NavItem(f, label) for f, label in labels.items() if f in names))
