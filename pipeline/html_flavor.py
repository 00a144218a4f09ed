"""How inline TEI looks in the HTML edition (the teiview hooks).

Everything the reader can switch on or off is always in the markup and only
shown or hidden by CSS: both readings of a correction, the entity classes,
the page numbers.  That keeps the switches working without JavaScript and
keeps every page a plain static file.
"""
from __future__ import annotations

from collections.abc import Container, Iterable

from markupsafe import Markup

from .teiview import (
    NAME_TAGS,
    Correction,
    DateRef,
    Flavor,
    Footnote,
    NameRef,
    PageBreak,
    Part,
    free_id,
    markup,
    unique_stems,
)

# Pages of our own.  A part whose id names one of them gets a prefix (text-index.html),
# so a chapter can never overwrite an index page; text-body.html is the body's text
# when the body has no divs.
OWN_PAGES = ("index", "persons", "places", "orgs", "works", "timeline", "corrections", "search", "text-body")
HOME = "index.html"
BODY_PAGE = "text-body.html"
ON_HOME = frozenset({"titlepage", "imprint", "contents"})  # front matter shown on the home page
PAGE_KINDS = frozenset({"front", "body", "back"})  # divisions with a page of their own
TOC_HEADING = "toc-heading"
# The ids of the page frame (base.html and the templates), by the name the script and
# stylesheet know them by.  Each yields to the TEI's ids like any id of ours
# (`frame_ids`), so edition.js and edition.css find the frame by its structure.
FRAME_IDS = ("main", "toggle-entities", "toggle-sic", "note-popover", "notes-heading", "downloads-heading",
             "more-contents-heading", "search", "search-offline")


def frame_ids(tei_ids: Container[str]) -> dict[str, str]:
    """Frame name -> its id on every page: the name itself unless the TEI uses it.

    Computed once for the site, so that the skip link and a reader's bookmarks see
    the same ids on each page.  No other id of ours can equal one: theirs end in
    -head, -heading or a name of their own (letter-A, list-corr-1).
    """
    return {name: free_id(name, tei_ids) for name in FRAME_IDS}


def own_page(part: Part, first_contents: str | None) -> bool:
    """A division, or a contents div after the first: a page of its own (the first is on the home page)."""
    return part.kind in PAGE_KINDS or (part.kind == "contents" and part.key != first_contents)


def part_files(parts: Iterable[Part]) -> dict[str, str]:
    """Part key -> the page it is shown on, from what each part is (its kind), never from its id."""
    parts = list(parts)
    first_contents = next((p.key for p in parts if p.kind == "contents"), None)
    stems = unique_stems(((p.key, p.key) for p in parts if own_page(p, first_contents)), OWN_PAGES, "text-")
    files = {key: f"{stem}.html" for key, stem in stems.items()}
    first_body = next((p.key for p in parts if p.kind == "body"), None)
    for p in parts:
        if p.key in files:
            continue
        if p.kind in ON_HOME:
            files[p.key] = HOME
        elif p.kind == "body-head":
            # The title printed above chapter 1 is shown on chapter 1's page; a body
            # without chapters is a page of its own.
            files[p.key] = files[first_body] if first_body else BODY_PAGE
    return files


def imprint_heading_ids(parts: Iterable[Part], tei_ids: Container[str]) -> dict[str, str]:
    """Imprint part key -> the id of its heading on the home page."""
    ids: dict[str, str] = {}
    for key in (p.key for p in parts if p.kind == "imprint"):
        ids[key] = free_id("imprint-heading", tei_ids, set(ids.values()))
    return ids


def toc_heading_id(tei_ids: Container[str]) -> str:
    return free_id(TOC_HEADING, tei_ids)


def home_anchors(parts: Iterable[Part], tei_ids: Container[str]) -> dict[str, str]:
    """Where a link to a whole home-page part lands: its section's heading (the page top for title pages)."""
    parts = list(parts)
    anchors = {p.key: "" for p in parts if p.kind == "titlepage"}
    anchors.update(imprint_heading_ids(parts, tei_ids))
    # The book's 目录 only: a contents div after it has a page of its own.
    first_contents = next((p.key for p in parts if p.kind == "contents"), None)
    if first_contents is not None:
        anchors[first_contents] = toc_heading_id(tei_ids)
    return anchors


def note_marker(note: Footnote) -> str:
    if note.marker:
        return note.marker
    return "编者注" if note.kind == "editorial" else "注"


class HtmlFlavor(Flavor):
    """Inline markup for the web pages: ARIA doc-* roles, switchable layers."""

    def part_files(self, parts: Iterable[Part]) -> dict[str, str]:
        return part_files(parts)

    def href(self, target_id: str) -> str:
        part = self.part_of.get(target_id)
        page = self.files.get(part) if part is not None else None
        if part is None or page is None:
            return "#" + target_id
        if target_id != part:
            return f"{page}#{target_id}"
        if page != HOME:
            return page  # a whole division: its page
        # A whole part of the home page has no element with its id there: its heading has one.
        anchor = home_anchors(self.parts.values(), self.part_of).get(part, "")
        return f"{page}#{anchor}" if anchor else page

    def noteref(self, note: Footnote) -> Markup:
        # The note is printed at the end of the same page, so a bare fragment
        # works without JavaScript; edition.js opens it in place.
        return markup(
            '<a class="noteref" id="{}" href="#{}" role="doc-noteref" aria-label="注释 {}">{}</a>',
            note.ref_id, note.id, note_marker(note), note_marker(note))

    def pagebreak(self, pb: PageBreak) -> Markup:
        if pb.n is None:
            return markup('<span class="pb pb-unnumbered" id="{}" title="原书换页处"></span>', pb.anchor)
        return markup(
            # axe rejects aria-label on a span with a DPUB role; title names it.
            '<span class="pb" id="{}" role="doc-pagebreak" title="第 {} 页">'
            '<span class="pb-n" aria-hidden="true" data-pagefind-ignore>{}</span></span>', pb.anchor, pb.n, pb.n)

    def name(self, ref: NameRef, inner: Markup) -> Markup:
        kind = NAME_TAGS.get(ref.tag, "other")
        classes = f"ent ent-{kind}" + (" ent-candidate" if not ref.refs else "")
        tag = "cite" if ref.tag == "title" else "span"
        return markup('<{} class="{}" id="{}">{}</{}>', tag, classes, ref.anchor, inner, tag)

    def date(self, ref: DateRef, inner: Markup) -> Markup:
        if ref.when:
            return markup('<time class="ent ent-date" id="{}" datetime="{}">{}</time>',
                ref.anchor, ref.when, inner)
        return markup('<span class="ent ent-date" id="{}">{}</span>', ref.anchor, inner)

    def choice(self, corr: Correction, inner: Markup) -> Markup:
        # Both readings are in the page; CSS shows one.  The OCR reading is
        # kept out of the search index so search finds the corrected text.
        return markup(
            '<span class="choice" id="{}"><span class="sic" data-pagefind-ignore>{}</span>'
            '<span class="corr" title="OCR：{}">{}</span></span>', corr.id, corr.sic, corr.sic, inner)
