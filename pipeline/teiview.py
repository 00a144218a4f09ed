"""Read a TEI edition (the shape of docs/encoding.md) into a view model for renderers.

Both the EPUB and the HTML edition are rendered from the TEI file alone, through
this module, so that they agree on ids, anchors, page numbers and the register.

Public API (stable)
-------------------
``read_tei(path, flavor=None) -> Edition``
    Parse safely (no entities, no DTD, no network; a DOCTYPE declaring entities
    is refused with ``TeiError``) and build the view.  All inline content is
    converted to XHTML-compatible ``markupsafe.Markup`` with ``flavor``'s hooks;
    every text node is escaped.
``Flavor``
    Subclass and override to change how inline TEI becomes markup:
    ``text(s, lang)``, ``lang_attrs(lang)``, ``href(target_id)``,
    ``noteref(note)``, ``pagebreak(pb)``, ``name(ref, inner)``,
    ``date(ref, inner)``, ``choice(corr, inner)``.  ``self.part_of`` (id or
    anchor -> part key) is filled before any hook runs, so ``href`` can map an
    id to the file it lands in.  ``mark_latin`` wraps obvious Latin runs inside
    Chinese text in ``lang="en"``.
``Edition``
    ``meta`` (Metadata), ``title_pages``, ``imprint`` (ImprintLine list),
    ``front`` (Division list: preface and other front divs), ``contents``
    (Contents or None), ``body_head`` (Head or None), ``body``, ``back``
    (Division trees), ``notes`` (every Footnote, document order), ``pages``
    (every PageBreak), ``entities`` (register Entity list with occurrences),
    ``names`` (every NameRef, also candidates without @ref), ``dates``,
    ``corrections``, ``part_of``; ``divisions()`` walks front/body/back.
Location fields: ``part`` is the key of the top-level piece the thing sits in
(a top-level div's xml:id, ``titlepage-{n}``, ``imprint``, ``body-head``);
``div`` the innermost div with an id; ``page`` the ``@n`` of the last page
break before it (None when unknown) and ``page_seq`` the 1-based page ordinal.
Generated anchors: ``pb-{k}`` page breaks, ``nm-{k}`` names, ``dt-{k}`` dates,
``nref-{note id}`` note references; existing xml:ids are kept.
``sort_key(s)`` sorts Chinese strings by pinyin (for indexes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from markupsafe import Markup, escape
from pypinyin import Style, lazy_pinyin

TEI = "http://www.tei-c.org/ns/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
NAME_TAGS = {"persName": "person", "placeName": "place", "orgName": "org", "title": "work"}
ENTITY_TAGS = {"person": "person", "place": "place", "org": "org", "bibl": "work"}
# A run of Latin script with at least three letters: a word, a name, a citation.
# The @when values HTML's datetime also accepts (TEI allows more, e.g. "--07").
HTML_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2}")
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 .,'’:;/&\-]*[A-Za-z0-9.]|[A-Za-z]")


class TeiError(ValueError):
    """The file is not a TEI edition this module can read safely."""


# ---------------------------------------------------------------- view model

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
    body: Markup = Markup("")


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


@dataclass(frozen=True)
class Correction:
    id: str
    sic: str
    corr: str
    resp: str
    cert: str
    evidence: str
    loc: Loc


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
    blocks: list[Block]
    head_notes: tuple[Footnote, ...]
    children: list["Division"]
    lang: str

    @property
    def notes(self) -> list[Footnote]:
        """Notes of this division's own head and blocks (not its children's)."""
        return [*self.head_notes, *(n for b in self.blocks for n in b.notes)]

    def walk(self) -> list["Division"]:
        return [self, *(d for c in self.children for d in c.walk())]


@dataclass(frozen=True)
class Head:
    html: Markup
    text: str
    notes: tuple[Footnote, ...]


@dataclass(frozen=True)
class TitleLine:
    kind: str  # title | series | author | publisher | edition | date | other
    html: Markup
    text: str


@dataclass(frozen=True)
class TitlePageView:
    key: str
    n: str
    lines: tuple[TitleLine, ...]


@dataclass(frozen=True)
class ImprintLine:
    type: str  # CIP | colophon | ""
    html: Markup
    text: str


@dataclass
class TocEntry:
    level: int
    html: Markup
    text: str
    target: str | None
    page: str
    children: list["TocEntry"] = field(default_factory=list)


@dataclass(frozen=True)
class Contents:
    id: str
    head: Markup
    head_text: str
    entries: tuple[TocEntry, ...]


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

    def divisions(self) -> list[Division]:
        return [d for top in (*self.front, *self.body, *self.back) for d in top.walk()]


# ---------------------------------------------------------------- flavor

class Flavor:
    """How inline TEI becomes markup.  Override hooks in a subclass."""

    mark_latin = True

    def __init__(self) -> None:
        self.part_of: dict[str, str] = {}

    def text(self, s: str, lang: str) -> Markup:
        if not (self.mark_latin and lang.startswith("zh")):
            return escape(s)
        out, last = [], 0
        for m in LATIN_RUN.finditer(s):
            if sum(c.isalpha() for c in m.group()) < 3:
                continue
            out += [escape(s[last:m.start()]), Markup("<span {}>{}</span>").format(self.lang_attrs("en"), m.group())]
            last = m.end()
        out.append(escape(s[last:]))
        return Markup("").join(out)

    def lang_attrs(self, lang: str) -> Markup:
        return Markup('lang="{}"').format(lang)

    def href(self, target_id: str) -> str:
        return "#" + target_id

    def noteref(self, note: Footnote) -> Markup:
        return Markup('<a class="noteref" id="{}" href="{}">{}</a>').format(
            note.ref_id, self.href(note.id), note.marker or "*")

    def pagebreak(self, pb: PageBreak) -> Markup:
        if pb.n is None:
            return Markup('<span class="pb" id="{}"></span>').format(pb.anchor)
        return Markup('<span class="pb" id="{}" role="doc-pagebreak" aria-label="{}"></span>').format(pb.anchor, pb.n)

    def name(self, ref: NameRef, inner: Markup) -> Markup:
        tag = "cite" if ref.tag == "title" else "span"
        return Markup('<{} class="{}" id="{}">{}</{}>').format(tag, ref.tag, ref.anchor, inner, tag)

    def date(self, ref: DateRef, inner: Markup) -> Markup:
        if HTML_DATETIME.fullmatch(ref.when):
            return Markup('<time id="{}" datetime="{}">{}</time>').format(ref.anchor, ref.when, inner)
        return Markup('<span class="date" id="{}">{}</span>').format(ref.anchor, inner)

    def choice(self, corr: Correction, inner: Markup) -> Markup:
        return Markup('<span class="corr" id="{}" title="{}">{}</span>').format(corr.id, corr.sic, inner)


# ---------------------------------------------------------------- parsing

def parse_safely(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as e:
        raise TeiError(f"{path}: not well-formed XML: {e}") from e
    dtd = tree.docinfo.internalDTD
    if dtd is not None and list(dtd.entities()):
        raise TeiError(f"{path}: a DOCTYPE declaring entities is not accepted")
    if tree.getroot().tag != f"{{{TEI}}}TEI":
        raise TeiError(f"{path}: root element is not TEI")
    return tree


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def plain(el: etree._Element | None) -> str:
    """Reading text: corr over sic, no notes, whitespace collapsed."""
    if el is None:
        return ""
    out: list[str] = []

    def walk(e: etree._Element) -> None:
        out.append(e.text or "")
        for c in e:
            if local(c) not in ("note", "sic", "orig", "abbr") and isinstance(c.tag, str):
                walk(c)
            out.append(c.tail or "")
    walk(el)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def x(el: etree._Element, path: str) -> list[etree._Element]:
    return el.xpath(path, namespaces={"t": TEI})


def first_text(el: etree._Element, path: str) -> str:
    found = x(el, path)
    return plain(found[0]) if found else ""


def sort_key(s: str) -> tuple[str, str]:
    """Pinyin order for Chinese, then the string itself to break ties."""
    return ("".join(lazy_pinyin(s, style=Style.TONE3)).lower(), s)


def read_tei(path: Path, flavor: Flavor | None = None) -> Edition:
    return _Builder(parse_safely(Path(path)), flavor or Flavor()).build()


# ---------------------------------------------------------------- header

def read_metadata(root: etree._Element) -> Metadata:
    if not x(root, "t:teiHeader"):
        raise TeiError("no teiHeader")
    fd = "t:teiHeader/t:fileDesc"
    ts, ps, mo = f"{fd}/t:titleStmt", f"{fd}/t:publicationStmt", f"{fd}/t:sourceDesc//t:monogr"
    tc = "t:teiHeader/t:profileDesc/t:textClass"
    licence = x(root, f"{ps}/t:availability/t:licence")

    def when_or_text(path: str) -> str:
        found = x(root, path)
        return (found[0].get("when") or plain(found[0])) if found else ""

    return Metadata(
        title=first_text(root, f"{ts}/t:title[@type='main']") or first_text(root, f"{ts}/t:title"),
        subtitle=first_text(root, f"{ts}/t:title[@type='sub']"),
        authors=tuple(plain(a) for a in x(root, f"{ts}/t:author")),
        publisher=first_text(root, f"{ps}/t:publisher") or first_text(root, f"{ps}/t:authority"),
        edition_date=when_or_text(f"{ps}/t:date"),
        edition_id=first_text(root, f"{ps}/t:idno[@type='edition']") or first_text(root, f"{ps}/t:idno"),
        licence=plain(licence[0]) if licence else first_text(root, f"{ps}/t:availability"),
        licence_url=licence[0].get("target", "") if licence else "",
        language=root.get(XML_LANG) or next(iter(x(root, "t:teiHeader//t:langUsage/t:language/@ident")), "zh-Hans"),
        print_title=first_text(root, f"{mo}/t:title[not(@type) or @type='main']") or first_text(root, f"{mo}/t:title"),
        print_publisher=first_text(root, f"{mo}/t:imprint/t:publisher"),
        print_place=first_text(root, f"{mo}/t:imprint/t:pubPlace"),
        print_date=when_or_text(f"{mo}/t:imprint/t:date"),
        isbn=first_text(root, f"{fd}/t:sourceDesc//t:idno[@type='ISBN']"),
        series=first_text(root, f"{mo}/t:title[@type='series']") or first_text(root, f"{fd}/t:sourceDesc//t:series/t:title"),
        clc=first_text(root, f"{tc}/t:classCode[contains(@scheme, 'CLC')]") or first_text(root, f"{tc}/t:classCode"),
        subjects=tuple(plain(t) for t in x(root, f"{tc}/t:keywords/t:term")),
        description=first_text(root, "t:teiHeader/t:profileDesc/t:abstract"),
    )


# ---------------------------------------------------------------- builder

BLOCK_TAGS = {"p", "ab", "list", "quote", "lg", "table", "figure", "div", "listBibl", "bibl", "sp", "cit"}


class _Builder:
    """Indexes the <text> once (anchors, pages, places), then renders it."""

    def __init__(self, tree: etree._ElementTree, flavor: Flavor) -> None:
        self.root = tree.getroot()
        self.flavor = flavor
        self.lang = self.root.get(XML_LANG) or "zh-Hans"
        self.part_key: dict[etree._Element, str] = {}
        self.part_of: dict[str, str] = {}
        self.notes: dict[etree._Element, Footnote] = {}
        self.pages: dict[etree._Element, PageBreak] = {}
        self.names: dict[etree._Element, NameRef] = {}
        self.dates: dict[etree._Element, DateRef] = {}
        self.corrs: dict[etree._Element, Correction] = {}

    def build(self) -> Edition:
        meta = read_metadata(self.root)
        text = next(iter(x(self.root, "t:text")), None)
        if text is None:
            raise TeiError("no <text>")
        self._assign_parts(text)
        self._index(text)
        self.flavor.part_of = self.part_of
        for el, note in self.notes.items():
            note.body = self._note_body(el)
        front = x(text, "t:front/*")
        body_head = x(text, "t:body/t:head")
        return Edition(
            meta=meta,
            title_pages=[self._title_page(tp) for tp in front if local(tp) == "titlePage"],
            imprint=[ImprintLine(ab.get("type", ""), self.inline(ab, self.lang), plain(ab))
                     for d in front if d.get("type") == "imprint" for ab in d if local(ab) in ("ab", "p")],
            front=[self._division(d, self.lang) for d in front
                   if local(d) == "div" and d.get("type") not in ("imprint", "contents")],
            contents=next((self._contents(d) for d in front if d.get("type") == "contents"), None),
            body_head=self._head(body_head[0]) if body_head else None,
            body=[self._division(d, self.lang) for d in x(text, "t:body/t:div")],
            back=[self._division(d, self.lang) for d in x(text, "t:back/t:div")],
            notes=list(self.notes.values()),
            pages=list(self.pages.values()),
            entities=self._register(),
            names=list(self.names.values()),
            dates=list(self.dates.values()),
            corrections=list(self.corrs.values()),
            part_of=self.part_of,
        )

    # -- indexing

    def _assign_parts(self, text: etree._Element) -> None:
        for k, top in enumerate(x(text, "t:front/* | t:body/* | t:back/*"), 1):
            tag = local(top)
            if tag == "titlePage":
                key = f"titlepage-{top.get('n') or k}"
            elif tag == "head" and local(top.getparent()) == "body":
                key = "body-head"
            else:
                key = top.get(XML_ID) or top.get("type") or tag
                key = f"{key}-{k}" if key in self.part_of else key
            self.part_key[top] = key
            self.part_of[key] = key
            for el in top.iter():
                if isinstance(el.tag, str) and el.get(XML_ID):
                    self.part_of[el.get(XML_ID)] = key

    def _index(self, text: etree._Element) -> None:
        page: str | None = None
        seq = 1
        for el in text.iter():
            tag = local(el)
            if tag == "pb":
                seq += 1
                page = el.get("n")
                pb = PageBreak(el.get(XML_ID) or f"pb-{len(self.pages) + 1}", page, seq, self._loc(el, page, seq))
                self._add(self.pages, el, pb, pb.anchor)
            elif tag == "note":
                nid = el.get(XML_ID) or f"note-{len(self.notes) + 1}"
                kind = "editorial" if el.get("type") == "editorial" else el.get("place", "foot")
                note = Footnote(nid, el.get("n", ""), kind, el.get("type", ""), el.get("resp", ""),
                                f"nref-{nid}", self._loc(el, page, seq))
                self._add(self.notes, el, note, note.ref_id)
            elif tag in NAME_TAGS and not x(el, "ancestor::t:titlePage"):
                refs = tuple(r[1:] for r in el.get("ref", "").split() if r.startswith("#"))
                ref = NameRef(el.get(XML_ID) or f"nm-{len(self.names) + 1}", tag, refs,
                              el.get("type", ""), plain(el), self._loc(el, page, seq))
                self._add(self.names, el, ref, ref.anchor)
            elif tag == "date":
                d = DateRef(el.get(XML_ID) or f"dt-{len(self.dates) + 1}", plain(el), el.get("when", ""),
                            el.get("from", ""), el.get("to", ""), el.get("notBefore", ""),
                            el.get("notAfter", ""), self._loc(el, page, seq))
                self._add(self.dates, el, d, d.anchor)
            elif tag == "choice":
                corr = next(iter(x(el, "t:corr | t:reg | t:expan")), None)
                c = Correction(el.get(XML_ID) or f"choice-{len(self.corrs) + 1}", first_text(el, "t:sic | t:orig | t:abbr"),
                               plain(corr), (corr.get("resp", "") if corr is not None else ""),
                               (corr.get("cert", "") if corr is not None else ""),
                               (corr.get("evidence", "") if corr is not None else ""), self._loc(el, page, seq))
                self._add(self.corrs, el, c, c.id)

    def _add(self, table: dict, el: etree._Element, record: object, anchor: str) -> None:
        table[el] = record
        self.part_of[anchor] = self._top_key(el)

    def _top_key(self, el: etree._Element) -> str:
        for a in el.iterancestors():
            if el in self.part_key:
                break
            el = a
        return self.part_key.get(el, "")

    def _loc(self, el: etree._Element, page: str | None, seq: int) -> Loc:
        div = next((a.get(XML_ID) for a in el.iterancestors(f"{{{TEI}}}div") if a.get(XML_ID)), None)
        return Loc(self._top_key(el), div, page, seq)

    def _register(self) -> list[Entity]:
        entities: dict[str, Entity] = {}
        for el in x(self.root, "t:standOff//*[@xml:id]"):
            kind = ENTITY_TAGS.get(local(el))
            if kind is None:
                continue
            names = tuple((n.get(XML_LANG) or self.lang, plain(n))
                          for n in el if local(n) in NAME_TAGS or local(n) == "name")
            name = next((n for lang, n in names if lang == self.lang), names[0][1] if names else el.get(XML_ID))
            entities[el.get(XML_ID)] = Entity(el.get(XML_ID), kind, name, names,
                                              first_text(el, "t:idno[@type='wikidata']"))
        for ref in self.names.values():
            for r in ref.refs:
                if r in entities:
                    entities[r].occurrences.append(ref)
        return list(entities.values())

    # -- rendering

    def inline(self, el: etree._Element, lang: str, skip: tuple[str, ...] = ()) -> Markup:
        out = [self.flavor.text(el.text or "", lang)]
        for child in el:
            if local(child) not in skip:
                out.append(self._element(child, lang))
            out.append(self.flavor.text(child.tail or "", lang))
        return Markup("").join(out)

    def _element(self, el: etree._Element, lang: str) -> Markup:
        tag, own = local(el), el.get(XML_LANG) or lang
        f = self.flavor
        if el in self.notes:
            return f.noteref(self.notes[el])
        if el in self.pages:
            return f.pagebreak(self.pages[el])
        if el in self.corrs:
            corr = next(iter(x(el, "t:corr | t:reg | t:expan")), None)
            out = f.choice(self.corrs[el], self.inline(corr, own) if corr is not None else Markup(""))
        elif el in self.names:
            out = f.name(self.names[el], self.inline(el, own))
        elif el in self.dates:
            out = f.date(self.dates[el], self.inline(el, own))
        elif tag == "ref" and el.get("target"):
            target = el.get("target", "").split()[0]
            href = f.href(target[1:]) if target.startswith("#") else target
            out = Markup('<a href="{}">{}</a>').format(href, self.inline(el, own))
        elif tag == "lb":
            out = Markup("<br />")
        elif tag in ("hi", "emph"):
            out = Markup("<em>{}</em>").format(self.inline(el, own))
        else:
            out = self.inline(el, own)
        if own != lang:
            out = Markup("<span {}>{}</span>").format(f.lang_attrs(own), out)
        return out

    def _blocks(self, container: etree._Element, lang: str) -> list[Block]:
        blocks = []
        for el in container:
            tag = local(el)
            if tag in ("head", "div", ""):
                continue
            own = el.get(XML_LANG) or lang
            attrs = Markup(" {}").format(self.flavor.lang_attrs(own)) if own != lang else Markup("")
            if el in self.pages or el in self.notes:  # between paragraphs: keep the anchor
                html = self._element(el, lang)
            elif tag == "p":
                html = Markup("<p{}>{}</p>").format(attrs, self.inline(el, own))
            elif tag == "ab":
                html = Markup('<p class="ab"{}>{}</p>').format(attrs, self.inline(el, own))
            elif tag == "list":
                items = Markup("").join(Markup("<li>{}</li>").format(self.inline(i, own))
                                        for i in el if local(i) == "item")
                html = Markup("<ul{}>{}</ul>").format(attrs, items)
            elif any(local(c) in BLOCK_TAGS for c in el):
                inner = Markup("").join(b.html for b in self._blocks(el, own))
                html = Markup('<div class="{}"{}>{}</div>').format(tag, attrs, inner)
            else:
                html = Markup('<p class="{}"{}>{}</p>').format(tag, attrs, self.inline(el, own))
            notes = tuple(self.notes[n] for n in el.iter(f"{{{TEI}}}note") if n in self.notes)
            blocks.append(Block(tag, html, notes))
        return blocks

    def _note_body(self, note: etree._Element) -> Markup:
        lang = next((a.get(XML_LANG) for a in note.iterancestors() if a.get(XML_LANG)), self.lang)
        lang = note.get(XML_LANG) or lang
        if any(local(c) in BLOCK_TAGS for c in note):
            return Markup("").join(b.html for b in self._blocks(note, lang))
        return Markup("<p>{}</p>").format(self.inline(note, lang))

    def _head(self, head: etree._Element) -> Head:
        notes = tuple(self.notes[n] for n in head.iter(f"{{{TEI}}}note") if n in self.notes)
        return Head(self.inline(head, self.lang).strip(), plain(head), notes)

    def _division(self, div: etree._Element, lang: str, parent: str = "") -> Division:
        lang = div.get(XML_LANG) or lang
        did = div.get(XML_ID) or self.part_key.get(div) or f"{parent}-{div.getparent().index(div)}"
        head = next((h for h in div if local(h) == "head"), None)
        labels = [lb for lb in head if local(lb) == "label"] if head is not None else []
        return Division(
            id=did, type=div.get("type", ""), n=div.get("n", ""),
            label=Markup(" ").join(self.inline(lb, lang) for lb in labels),
            head=self.inline(head, lang, skip=("label",)).strip() if head is not None else Markup(""),
            head_text=plain(head),
            blocks=self._blocks(div, lang),
            head_notes=tuple(self.notes[n] for n in head.iter(f"{{{TEI}}}note")) if head is not None else (),
            children=[self._division(c, lang, did) for c in div if local(c) == "div"],
            lang=lang,
        )

    def _title_page(self, tp: etree._Element) -> TitlePageView:
        lines: list[TitleLine] = []
        kinds = {"docAuthor": "author", "byline": "author", "docEdition": "edition", "docDate": "date"}
        for el in tp:
            tag = local(el)
            if tag == "docTitle":
                parts = [(p.get("type") or "title", p) for p in el if local(p) == "titlePart"]
            elif tag == "titlePart":
                parts = [(el.get("type") or "title", el)]
            elif tag == "docImprint" and len(el):
                parts = [(local(c), c) for c in el]
            elif tag == "docImprint":
                parts = [("publisher", el)]
            else:
                parts = [(kinds.get(tag, "other"), el)]
            lines += [TitleLine(k, self.inline(p, self.lang), plain(p)) for k, p in parts]
        return TitlePageView(self.part_key[tp], tp.get("n", ""), tuple(lines))

    def _contents(self, div: etree._Element) -> Contents:
        head = next((h for h in div if local(h) == "head"), None)
        roots: list[TocEntry] = []
        stack: list[TocEntry] = []
        for item in x(div, ".//t:list[1]/t:item"):
            ref = next(iter(x(item, "t:ref")), None)
            shown = ref if ref is not None else item
            level = int(item.get("n")) if (item.get("n") or "").isdigit() else 1
            entry = TocEntry(level, self.inline(shown, self.lang, skip=("num",)).strip(),
                             plain(shown) if ref is not None else plain_without(item, "num"),
                             ref.get("target", "").lstrip("#") or None if ref is not None else None,
                             first_text(item, "t:num[@type='page']"))
            while stack and stack[-1].level >= level:
                stack.pop()
            (stack[-1].children if stack else roots).append(entry)
            stack.append(entry)
        return Contents(div.get(XML_ID) or self.part_key[div],
                        self.inline(head, self.lang) if head is not None else Markup(""),
                        plain(head), tuple(roots))


def plain_without(el: etree._Element, tag: str) -> str:
    clone = etree.fromstring(etree.tostring(el))
    for c in clone.iter(f"{{{TEI}}}{tag}"):
        c.getparent().remove(c) if c.tail is None else _drop_keep_tail(c)
    return plain(clone)


def _drop_keep_tail(el: etree._Element) -> None:
    parent, prev = el.getparent(), el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + (el.tail or "")
    else:
        parent.text = (parent.text or "") + (el.tail or "")
    parent.remove(el)
