"""How inline TEI becomes markup: the hooks a renderer overrides."""
from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from .model import Correction, DateRef, Footnote, NameRef, PageBreak, Part, markup

# The @when values HTML's datetime also accepts (TEI allows more, e.g. "--07").
HTML_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2}")
# A run of Latin script with at least three letters: a word, a name, a citation.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 .,'’:;/&\-]*[A-Za-z0-9.]|[A-Za-z]")
CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")


def latin_only(text: str) -> bool:
    """A title with Latin letters and no Chinese (a Western work cited in Chinese text)."""
    return bool(re.search(r"[A-Za-z]", text)) and not CJK.search(text)


class Flavor:
    """How inline TEI becomes markup.  Override hooks in a subclass."""

    mark_latin = True

    def __init__(self) -> None:
        self.part_of: dict[str, str] = {}
        self.parts: dict[str, Part] = {}  # part key -> the piece (kind, id), in document order
        self.first_body: str | None = None  # part key of the first body div
        self._files: tuple[dict[str, Part], dict[str, str]] = ({}, {})

    @property
    def files(self) -> dict[str, str]:
        """Part key -> the renderer's file for it, made once teiview has found the parts (before any hook runs)."""
        if self._files[0] is not self.parts:
            self._files = (self.parts, self.part_files(self.parts.values()))
        return self._files[1]

    def part_files(self, parts: Iterable[Part]) -> dict[str, str]:
        """Part key -> file name; a renderer that writes a file per part overrides this."""
        return {}

    def text(self, s: str, lang: str) -> Markup:
        if not (self.mark_latin and lang.startswith("zh")):
            return escape(s)
        out, last = [], 0
        for m in LATIN_RUN.finditer(s):
            if sum(c.isalpha() for c in m.group()) < 3:
                continue
            out += [escape(s[last:m.start()]), markup("<span {}>{}</span>", self.lang_attrs("en"), m.group())]
            last = m.end()
        out.append(escape(s[last:]))
        return Markup("").join(out)

    def lang_attrs(self, lang: str) -> Markup:
        return markup('lang="{}"', lang)

    def href(self, target_id: str) -> str:
        return "#" + target_id

    def noteref(self, note: Footnote) -> Markup:
        return markup('<a class="noteref" id="{}" href="{}">{}</a>',
            note.ref_id, self.href(note.id), note.marker or "*")

    def pagebreak(self, pb: PageBreak) -> Markup:
        if pb.n is None:
            return markup('<span class="pb" id="{}"></span>', pb.anchor)
        return markup('<span class="pb" id="{}" role="doc-pagebreak" aria-label="{}"></span>', pb.anchor, pb.n)

    def name(self, ref: NameRef, inner: Markup) -> Markup:
        tag = "cite" if ref.tag == "title" else "span"
        return markup('<{} class="{}" id="{}"{}>{}</{}>',
            tag, ref.tag, ref.anchor, self.title_lang(ref), inner, tag)

    def title_lang(self, ref: NameRef) -> Markup:
        """` lang="en"` on a Latin-script title, so CSS can italicise it and no Chinese one."""
        if ref.tag == "title" and latin_only(ref.text):
            return Markup(" ") + self.lang_attrs("en")
        return Markup("")

    def date(self, ref: DateRef, inner: Markup) -> Markup:
        if HTML_DATETIME.fullmatch(ref.when):
            return markup('<time id="{}" datetime="{}">{}</time>', ref.anchor, ref.when, inner)
        return markup('<span class="date" id="{}">{}</span>', ref.anchor, inner)

    def choice(self, corr: Correction, inner: Markup) -> Markup:
        return markup('<span class="corr" id="{}" title="{}">{}</span>', corr.id, corr.sic, inner)
