"""Rendering: the indexed <text> becomes the view model, markup made by a Flavor."""
from __future__ import annotations

from lxml import etree
from markupsafe import Markup

from .flavor import Flavor
from .header import read_metadata, read_rules
from .index import Index
from .model import (
    Block,
    Contents,
    Division,
    Edition,
    Footnote,
    Head,
    Imprint,
    ImprintLine,
    TitleLine,
    TitlePageView,
    TocEntry,
    markup,
)
from .tree import (
    TEI,
    XML_ID,
    XML_LANG,
    TeiError,
    first_text,
    local,
    plain,
    plain_without,
    x,
)

BLOCK_TAGS = {"p", "ab", "list", "quote", "lg", "table", "figure", "div", "listBibl", "bibl", "sp", "cit"}
# titlePart @type -> TitleLine.kind: the main title is one kind, typed or not.
TITLE_PART_KINDS = {"": "title", "main": "title"}
TITLE_PAGE_KINDS = {"docAuthor": "author", "byline": "author", "docEdition": "edition", "docDate": "date"}


class Builder:
    """Indexes the <text> once (anchors, pages, places), then renders it."""

    def __init__(self, tree: etree._ElementTree, flavor: Flavor) -> None:
        self.root = tree.getroot()
        self.flavor = flavor
        self.lang = self.root.get(XML_LANG) or "zh-Hans"
        self.index = Index(self.root, self.lang)

    def build(self) -> Edition:
        meta = read_metadata(self.root)
        text = next(iter(x(self.root, "t:text")), None)
        if text is None:
            raise TeiError("no <text>")
        rules = read_rules(self.root)
        ix = self.index
        ix.build(text, rules)
        self.flavor.part_of = ix.part_of
        self.flavor.parts = {part.key: part for part in ix.parts}
        self.flavor.first_body = ix.first_body(text)
        for el, note in ix.notes.items():
            note.body = self._note_body(el)
        front = x(text, "t:front/*")
        body_head = x(text, "t:body/t:head")
        imprints = [self._imprint(d) for d in front if d.get("type") == "imprint"]
        contents = [self._contents(d) for d in front if d.get("type") == "contents"]
        edition = Edition(
            meta=meta,
            title_pages=[self._title_page(tp) for tp in front if local(tp) == "titlePage"],
            imprint=[line for imprint in imprints for line in imprint.lines],
            imprints=imprints,
            parts=list(ix.parts),
            front=[self._division(d, self.lang) for d in front
                   if local(d) == "div" and d.get("type") not in ("imprint", "contents")],
            contents=contents[0] if contents else None,
            other_contents=contents[1:],
            body_head=self._head(body_head[0]) if body_head else None,
            body_blocks=self._blocks(x(text, "t:body")[0], self.lang),
            body=[self._division(d, self.lang) for d in x(text, "t:body/t:div")],
            back=[self._division(d, self.lang) for d in x(text, "t:back/t:div")],
            notes=list(ix.notes.values()),
            pages=list(ix.pages.values()),
            entities=ix.register(),
            names=list(ix.names.values()),
            dates=list(ix.dates.values()),
            corrections=list(ix.corrs.values()),
            part_of=ix.part_of,
            rules=rules,
            first_body=self.flavor.first_body,
        )
        # Only now: building the divisions made anchors for those without an id.
        edition.ids = frozenset(ix.taken)
        return edition

    # -- inline

    def inline(self, el: etree._Element, lang: str, skip: tuple[str, ...] = ()) -> Markup:
        out = [self.flavor.text(el.text or "", lang)]
        for child in el:
            if local(child) not in skip:
                out.append(self._element(child, lang))
            out.append(self.flavor.text(child.tail or "", lang))
        return Markup("").join(out)

    def _element(self, el: etree._Element, lang: str) -> Markup:
        tag, own = local(el), el.get(XML_LANG) or lang
        f, ix = self.flavor, self.index
        if el in ix.notes:
            return f.noteref(ix.notes[el])
        if el in ix.pages:
            return f.pagebreak(ix.pages[el])
        if el in ix.corrs:
            corr = next(iter(x(el, "t:corr | t:reg | t:expan")), None)
            out = f.choice(ix.corrs[el], self.inline(corr, own) if corr is not None else Markup(""))
        elif el in ix.names:
            out = f.name(ix.names[el], self.inline(el, own))
        elif el in ix.dates:
            out = f.date(ix.dates[el], self.inline(el, own))
        elif tag == "ref" and el.get("target"):
            target = el.get("target", "").split()[0]
            href = f.href(target[1:]) if target.startswith("#") else target
            out = markup('<a href="{}">{}</a>', href, self.inline(el, own))
        elif tag == "lb":
            out = Markup("<br />")
        elif tag in ("hi", "emph"):
            out = markup("<em>{}</em>", self.inline(el, own))
        elif tag == "label":
            # A printed label (第一章, 一、, 书名): marked so CSS can set it off;
            # the whitespace after it is the TEI's own.
            out = markup('<span class="label">{}</span>', self.inline(el, own))
        else:
            out = self.inline(el, own)
        if own != lang:
            out = markup("<span {}>{}</span>", f.lang_attrs(own), out)
        return out

    # -- page breaks between pieces

    def _breaks(self, pbs: list[etree._Element]) -> Markup:
        return Markup("").join(self.flavor.pagebreak(self.index.pages[pb]) for pb in pbs)

    def _lead(self, unit: etree._Element) -> Markup:
        """The page breaks that open `unit` (Index._place_breaks), as markup."""
        return self._breaks(self.index.lead.get(unit, []))

    # -- blocks and divisions

    def _blocks(self, container: etree._Element, lang: str) -> list[Block]:
        out: list[Block] = []
        for el in container:
            if local(el) in ("head", "div", "") or el in self.index.host:
                continue  # a break between pieces is shown with the unit it opens
            if el in self.index.lead:  # between paragraphs: a block of its own, anchor kept
                out.append(Block("pb", self._lead(el), ()))
            out.append(self._block(el, lang))
            if el in self.index.trail:
                out.append(Block("pb", self._breaks(self.index.trail[el]), ()))
        return out

    def _block(self, el: etree._Element, lang: str) -> Block:
        tag, own = local(el), el.get(XML_LANG) or lang
        attrs = markup(" {}", self.flavor.lang_attrs(own)) if own != lang else Markup("")
        if el in self.index.pages or el in self.index.notes:  # between paragraphs: keep the anchor
            html = self._element(el, lang)
        elif tag == "p":
            html = markup("<p{}>{}</p>", attrs, self.inline(el, own))
        elif tag == "ab":
            html = markup('<p class="ab"{}>{}</p>', attrs, self.inline(el, own))
        elif tag == "list":
            items = Markup("").join(markup("<li>{}{}</li>", self._lead(i), self.inline(i, own))
                                    for i in el if local(i) == "item")
            html = markup("<ul{}>{}</ul>", attrs, items)
        elif any(local(c) in BLOCK_TAGS for c in el):
            inner = Markup("").join(b.html for b in self._blocks(el, own))
            html = markup('<div class="{}"{}>{}</div>', tag, attrs, inner)
        else:
            html = markup('<p class="{}"{}>{}</p>', tag, attrs, self.inline(el, own))
        return Block(tag, html, self._notes_in(el))

    def _notes_in(self, el: etree._Element | None) -> tuple[Footnote, ...]:
        """Every note inside `el`, nested ones too (an editor's note in a footnote)."""
        if el is None:
            return ()
        return tuple(self.index.notes[n] for n in el.iter(f"{{{TEI}}}note") if n in self.index.notes)

    def _note_body(self, note: etree._Element) -> Markup:
        lang = next((a.get(XML_LANG) for a in note.iterancestors() if a.get(XML_LANG)), self.lang)
        lang = note.get(XML_LANG) or lang
        if any(local(c) in BLOCK_TAGS for c in note):
            return Markup("").join(b.html for b in self._blocks(note, lang))
        return markup("<p>{}</p>", self.inline(note, lang))

    def _head(self, head: etree._Element) -> Head:
        return Head(self.inline(head, self.lang).strip(), plain(head), self._notes_in(head), self._lead(head))

    def _division(self, div: etree._Element, lang: str, parent: str = "") -> Division:
        lang = div.get(XML_LANG) or lang
        part = self.index.part_key.get(div, "")
        did = div.get(XML_ID) or part or self.index.fresh(f"{parent}-{div.getparent().index(div)}")
        head = next((h for h in div if local(h) == "head"), None)
        labels = [lb for lb in head if local(lb) == "label"] if head is not None else []
        blocks = self._blocks(div, lang)
        if div in self.index.trail:  # the text ends in this div, after its last block
            blocks.append(Block("pb", self._breaks(self.index.trail[div]), ()))
        return Division(
            id=did, type=div.get("type", ""), n=div.get("n", ""),
            label=Markup(" ").join(self.inline(lb, lang) for lb in labels),
            head=self.inline(head, lang, skip=("label",)).strip() if head is not None else Markup(""),
            head_text=plain(head),
            heading=self.inline(head, lang).strip() if head is not None else Markup(""),
            blocks=blocks,
            head_notes=self._notes_in(head),
            children=[self._division(c, lang, did) for c in div if local(c) == "div"],
            lang=lang,
            lead=self._lead(div),
            part=part,
        )

    # -- front matter

    def _title_page(self, tp: etree._Element) -> TitlePageView:
        lines: list[TitleLine] = []
        for el in tp:
            tag = local(el)
            if tag == "docTitle":
                parts = [(title_kind(p), p) for p in el if local(p) == "titlePart"]
            elif tag == "titlePart":
                parts = [(title_kind(el), el)]
            elif tag == "docImprint" and len(el):
                parts = [(local(c), c) for c in el]
            elif tag == "docImprint":
                parts = [("publisher", el)]
            else:
                parts = [(TITLE_PAGE_KINDS.get(tag, "other"), el)]
            lines += [TitleLine(k, self.inline(p, self.lang), plain(p)) for k, p in parts]
        return TitlePageView(self.index.part_key[tp], tp.get("n", ""), tuple(lines), self._lead(tp))

    def _imprint(self, div: etree._Element) -> Imprint:
        lines = tuple(self._imprint_line(ab) for ab in div if local(ab) in ("ab", "p"))
        return Imprint(self.index.part_key[div], div.get(XML_ID) or "", lines)

    def _imprint_line(self, ab: etree._Element) -> ImprintLine:
        labels = [lb for lb in ab if local(lb) == "label"]
        return ImprintLine(ab.get("type", ""), self.inline(ab, self.lang), plain(ab),
                           Markup(" ").join(self.inline(lb, self.lang) for lb in labels),
                           self.inline(ab, self.lang, skip=("label",)).strip(), self._lead(ab))

    def _contents(self, div: etree._Element) -> Contents:
        head = next((h for h in div if local(h) == "head"), None)
        roots: list[TocEntry] = []
        stack: list[TocEntry] = []
        # Every list of the div, as one (a list may go on after a paragraph).
        for item in x(div, "t:list/t:item"):
            entry = self._toc_entry(item)
            while stack and stack[-1].level >= entry.level:
                stack.pop()
            (stack[-1].children if stack else roots).append(entry)
            stack.append(entry)
        before, after = self._contents_blocks(div)
        return Contents(div.get(XML_ID) or self.index.part_key[div],
                        self.inline(head, self.lang) if head is not None else Markup(""),
                        plain(head), tuple(roots), self._lead(div), self.index.part_key[div],
                        before, after)

    def _contents_blocks(self, div: etree._Element) -> tuple[tuple[Block, ...], tuple[Block, ...]]:
        """The div's paragraphs printed before its first list, and the others: no line is dropped."""
        before: list[Block] = []
        after: list[Block] = []
        for el in div:
            if local(el) in ("p", "ab"):
                listed = any(local(s) == "list" for s in el.itersiblings(preceding=True))
                (after if listed else before).append(self._block(el, self.lang))
        return tuple(before), tuple(after)

    def _toc_entry(self, item: etree._Element) -> TocEntry:
        """An item: <label>第一章</label><ref target="#ch1">绪论</ref><num type="page">1</num>."""
        ref = next(iter(x(item, "t:ref")), None)
        shown = ref if ref is not None else next(iter(x(item, "t:seg")), None)
        label = next(iter(x(item, "t:label")), None)
        level = int(item.get("n")) if (item.get("n") or "").isdigit() else 1
        if shown is not None:
            html, text = self.inline(shown, self.lang).strip(), plain(shown)
        else:
            html = self.inline(item, self.lang, skip=("num", "label")).strip()
            text = plain_without(item, "num", "label")
        target = (ref.get("target", "").lstrip("#") or None) if ref is not None else None
        return TocEntry(level, html, text, target, first_text(item, "t:num[@type='page']"),
                        label=self.inline(label, self.lang) if label is not None else Markup(""),
                        label_text=plain(label), lead=self._lead(item))


def title_kind(part: etree._Element) -> str:
    kind = part.get("type") or ""
    return TITLE_PART_KINDS.get(kind, kind)
