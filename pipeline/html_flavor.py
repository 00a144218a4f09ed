"""How inline TEI looks in the HTML edition (the teiview hooks).

Everything the reader can switch on or off is always in the markup and only
shown or hidden by CSS: both readings of a correction, the entity classes,
the page numbers.  That keeps the switches working without JavaScript and
keeps every page a plain static file.
"""
from __future__ import annotations

from markupsafe import Markup

from .teiview import (
    NAME_TAGS,
    Correction,
    DateRef,
    Flavor,
    Footnote,
    NameRef,
    PageBreak,
)

# Page files that are not text parts; a part id equal to one of these gets a
# prefix so a chapter can never overwrite an index page.
RESERVED_PAGES = frozenset({"index", "persons", "places", "orgs", "works", "timeline", "corrections", "search"})
HOME = "index.html"


def part_file(part: str, first_body_part: str | None) -> str:
    """The file a top-level part is rendered into."""
    if part in ("imprint", "contents") or part.startswith("titlepage-"):
        return HOME
    if part == "body-head":
        # The title printed above chapter 1 is shown on chapter 1's page; a body
        # without chapters is a page of its own.
        return part_file(first_body_part, None) if first_body_part else "text-body.html"
    stem = f"text-{part}" if part in RESERVED_PAGES else part
    return f"{stem}.html"


def note_marker(note: Footnote) -> str:
    if note.marker:
        return note.marker
    return "编者注" if note.kind == "editorial" else "注"


class HtmlFlavor(Flavor):
    """Inline markup for the web pages: ARIA doc-* roles, switchable layers."""

    @property
    def first_body_part(self) -> str | None:
        """Chapter 1's part key (teiview sets it): its page also shows the body's title."""
        return self.first_body

    def file_of(self, target_id: str) -> str:
        return part_file(self.part_of.get(target_id, target_id), self.first_body_part)

    def href(self, target_id: str) -> str:
        part = self.part_of.get(target_id)
        if part is None:
            return "#" + target_id
        page = self.file_of(target_id)
        return page if target_id == part and page != HOME else f"{page}#{target_id}"

    def noteref(self, note: Footnote) -> Markup:
        # The note is printed at the end of the same page, so a bare fragment
        # works without JavaScript; edition.js opens it in place.
        return Markup(
            '<a class="noteref" id="{}" href="#{}" role="doc-noteref" aria-label="注释 {}">{}</a>'
        ).format(note.ref_id, note.id, note_marker(note), note_marker(note))

    def pagebreak(self, pb: PageBreak) -> Markup:
        if pb.n is None:
            return Markup('<span class="pb pb-unnumbered" id="{}" title="原书换页处"></span>').format(pb.anchor)
        return Markup(
            # axe rejects aria-label on a span with a DPUB role; title names it.
            '<span class="pb" id="{}" role="doc-pagebreak" title="第 {} 页">'
            '<span class="pb-n" aria-hidden="true" data-pagefind-ignore>{}</span></span>'
        ).format(pb.anchor, pb.n, pb.n)

    def name(self, ref: NameRef, inner: Markup) -> Markup:
        kind = NAME_TAGS.get(ref.tag, "other")
        classes = f"ent ent-{kind}" + (" ent-candidate" if not ref.refs else "")
        tag = "cite" if ref.tag == "title" else "span"
        return Markup('<{} class="{}" id="{}">{}</{}>').format(tag, classes, ref.anchor, inner, tag)

    def date(self, ref: DateRef, inner: Markup) -> Markup:
        if ref.when:
            return Markup('<time class="ent ent-date" id="{}" datetime="{}">{}</time>').format(
                ref.anchor, ref.when, inner)
        return Markup('<span class="ent ent-date" id="{}">{}</span>').format(ref.anchor, inner)

    def choice(self, corr: Correction, inner: Markup) -> Markup:
        # Both readings are in the page; CSS shows one.  The OCR reading is
        # kept out of the search index so search finds the corrected text.
        return Markup(
            '<span class="choice" id="{}"><span class="sic" data-pagefind-ignore>{}</span>'
            '<span class="corr" title="OCR：{}">{}</span></span>'
        ).format(corr.id, corr.sic, corr.sic, inner)
