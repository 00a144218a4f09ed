"""The indexing pass: one walk over <text> that finds every anchor and its place.

It assigns each top-level piece a part key, gives page breaks, notes, names,
dates and corrections their anchors (existing xml:ids are kept) and records
where each sits, before any markup is made; so a hook rendering the first
paragraph can already link to the last note.

A page break that stands between pieces rather than inside running text
(``front/pb``, ``body/pb``, ``div/pb``, ``list/pb``) is placed before the next
piece a renderer shows ("unit": a title page, a div, the body's head, an
imprint line, a list item, a block of a div): the page it opens starts there,
so that is where its anchor goes and which part it belongs to.
"""
from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from .model import Correction, DateRef, Entity, Footnote, Loc, NameRef, PageBreak, Part
from .naming import free_id
from .tree import (
    ENTITY_TAGS,
    NAME_TAGS,
    NOT_READ,
    TEI,
    XML_ID,
    XML_LANG,
    first_text,
    local,
    plain,
    x,
)

# Parents whose <pb/> children stand between pieces, not inside running text.
BETWEEN_PARENTS = {"front", "body", "back", "div", "list"}
# Divs whose children are not rendered as blocks of a Division.
LINE_DIVS = {"imprint", "contents"}

# Where a date's sentence is looked for: the nearest of these around it.
CONTEXT_BLOCKS = {"p", "ab", "head", "item", "l", "note", "titlePart", "docAuthor", "docImprint"}
SENTENCE_END = "。！？!?；;"
CONTEXT_MAX = 60  # characters either side of a date, at most


class Index:
    """Anchors and places of everything a renderer links to, by element."""

    def __init__(self, root: etree._Element, lang: str) -> None:
        self.root = root
        self.lang = lang
        self.part_key: dict[etree._Element, str] = {}
        self.part_of: dict[str, str] = {}
        self.parts: list[Part] = []
        # Every xml:id of the file and every anchor made so far: a made-up anchor
        # (pb-3, nm-1, a part key) must never equal an id the TEI already uses.
        self.taken: set[str] = {el.get(XML_ID) for el in root.iter()
                                if isinstance(el.tag, str) and el.get(XML_ID)}
        self.notes: dict[etree._Element, Footnote] = {}
        self.pages: dict[etree._Element, PageBreak] = {}
        self.names: dict[etree._Element, NameRef] = {}
        self.dates: dict[etree._Element, DateRef] = {}
        self.corrs: dict[etree._Element, Correction] = {}
        # Page breaks between pieces: the unit each opens (lead) or, when nothing
        # follows, the last unit they close (trail); host is pb -> that unit.
        self.lead: dict[etree._Element, list[etree._Element]] = {}
        self.trail: dict[etree._Element, list[etree._Element]] = {}
        self.host: dict[etree._Element, etree._Element] = {}

    def build(self, text: etree._Element, rules: dict[str, str]) -> None:
        self._assign_parts(text)
        self._place_breaks(text)
        self._walk(text, rules)
        self._attach_reasons()

    def first_body(self, text: etree._Element) -> str | None:
        """The part key of the first body div: where a title printed above it is shown."""
        first = next(iter(x(text, "t:body/t:div")), None)
        return self.part_key.get(first) if first is not None else None

    def _assign_parts(self, text: etree._Element) -> None:
        """A unique key per top-level piece, and id -> key for every xml:id inside it.

        A piece with an xml:id is keyed by it; others get a made-up key (``titlepage-1``,
        ``body-head``, their @type) that yields to any xml:id of the file: a TEI may use
        any id, and a key equal to another element's id would send links astray.
        """
        body_head: str | None = None
        for k, top in enumerate(x(text, "t:front/* | t:body/* | t:back/*"), 1):
            if local(top) == "pb":
                continue  # not a piece: it belongs to the piece it opens (_place_breaks)
            kind = part_kind(top)
            if kind == "body-head" and body_head is not None:
                key = body_head  # the body's title and the text before its first div are one piece
            else:
                key = self._part_key(top, kind, k)
            if kind == "body-head":
                body_head = key
            self.part_key[top] = key
            if key not in self.part_of:
                self.parts.append(Part(key, kind, top.get(XML_ID) or ""))
            self.part_of[key] = key
            for el in top.iter():
                if isinstance(el.tag, str) and el.get(XML_ID):
                    self.part_of[el.get(XML_ID)] = key

    def _part_key(self, top: etree._Element, kind: str, k: int) -> str:
        own = top.get(XML_ID)
        if own and own not in self.part_of:  # not already a key: only an invalid file repeats an id
            return own
        if kind == "titlepage":
            base = f"titlepage-{top.get('n') or k}"
        elif kind == "body-head":
            base = "body-head"
        else:
            base = own or top.get("type") or local(top)
        # The suffix the position gives (imprint-3) keeps a key stable when other pieces change.
        return self.fresh(base if base not in self.taken else f"{base}-{k}")

    def fresh(self, base: str) -> str:
        """`base`, or base-2, base-3, ... when an xml:id of the file or another anchor has it."""
        name = free_id(base, self.taken)
        self.taken.add(name)
        return name

    def _place_breaks(self, text: etree._Element) -> None:
        """Find the unit each page break between pieces opens (see the module docstring)."""
        pending: list[etree._Element] = []
        units: list[etree._Element] = []
        for el in text.iter():
            if local(el) == "pb" and local(el.getparent()) in BETWEEN_PARENTS:
                parent = el.getparent()
                if is_unit(parent) and local(parent) == "div" and before_head(el):
                    self._host(parent, [el], self.lead)  # div/pb before the head: top of that div
                else:
                    pending.append(el)
            elif is_unit(el):
                units.append(el)
                if pending:
                    self._host(el, pending, self.lead)
                    pending = []
        if pending and units:
            # Nothing follows: the end of the last div or block, else the last unit.
            last = next((u for u in reversed(units) if is_block(u) or local(u) == "div"), None)
            if last is not None:
                self._host(last, pending, self.trail)
            else:
                self._host(units[-1], pending, self.lead)

    def _host(self, unit: etree._Element, pbs: list[etree._Element],
              table: dict[etree._Element, list[etree._Element]]) -> None:
        table.setdefault(unit, []).extend(pbs)
        for pb in pbs:
            self.host[pb] = unit

    def _walk(self, text: etree._Element, rules: dict[str, str]) -> None:
        page: str | None = None
        seq = 1
        for el in text.iter():
            tag = local(el)
            if tag == "pb":
                seq += 1
                page = el.get("n")
                where = self.host.get(el, el)  # a break between pieces sits in the unit it opens
                anchor = el.get(XML_ID) or self.fresh(f"pb-{len(self.pages) + 1}")
                pb = PageBreak(anchor, page, seq, self._loc(where, page, seq))
                self._add(self.pages, el, pb, pb.anchor, where)
            elif tag == "note":
                self._add_note(el, self._loc(el, page, seq))
            elif tag in NAME_TAGS and not x(el, "ancestor::t:titlePage"):
                refs = tuple(r[1:] for r in el.get("ref", "").split() if r.startswith("#"))
                ref = NameRef(el.get(XML_ID) or self.fresh(f"nm-{len(self.names) + 1}"), tag, refs,
                              el.get("type", ""), plain(el), self._loc(el, page, seq))
                self._add(self.names, el, ref, ref.anchor)
            elif tag == "date":
                self._add_date(el, self._loc(el, page, seq))
            elif tag == "choice":
                self._add_choice(el, self._loc(el, page, seq), rules)

    def _add_note(self, el: etree._Element, loc: Loc) -> None:
        nid = el.get(XML_ID) or self.fresh(f"note-{len(self.notes) + 1}")
        kind = "editorial" if el.get("type") == "editorial" else el.get("place", "foot")
        outer = next(el.iterancestors(f"{{{TEI}}}note"), None)
        parent = self.notes[outer].id if outer is not None and outer in self.notes else ""
        note = Footnote(nid, el.get("n", ""), kind, el.get("type", ""), el.get("resp", ""),
                        self.fresh(f"nref-{nid}"), loc, parent=parent)
        self._add(self.notes, el, note, note.ref_id)

    def _add_date(self, el: etree._Element, loc: Loc) -> None:
        before, after = sentence_around(*split_around(enclosing_block(el), el))
        d = DateRef(el.get(XML_ID) or self.fresh(f"dt-{len(self.dates) + 1}"), plain(el), el.get("when", ""),
                    el.get("from", ""), el.get("to", ""), el.get("notBefore", ""), el.get("notAfter", ""),
                    loc, before, after)
        self._add(self.dates, el, d, d.anchor)

    def _add_choice(self, el: etree._Element, loc: Loc, rules: dict[str, str]) -> None:
        corr = next(iter(x(el, "t:corr | t:reg | t:expan")), None)
        get = (lambda a: corr.get(a, "")) if corr is not None else (lambda a: "")
        cid = el.get(XML_ID) or self.fresh(f"choice-{len(self.corrs) + 1}")
        c = Correction(cid, first_text(el, "t:sic | t:orig | t:abbr"),
                       plain(corr), get("resp"), get("cert"), get("evidence"), loc,
                       rules.get(get("resp").lstrip("#"), ""))
        self._add(self.corrs, el, c, c.id)

    def _attach_reasons(self) -> None:
        """Give each correction the notes that point at it with @target.

        A note may come before or after its correction, so this waits for the whole walk.
        Pointing at the sic or corr inside the choice counts too: a TEI may put the id there.
        """
        by_id = {own: choice for choice in self.corrs
                 for own in (el.get(XML_ID) for el in choice.iter() if isinstance(el.tag, str)) if own}
        reasons: dict[etree._Element, list[str]] = {}
        for note in self.notes:
            targets = {t[1:] for t in note.get("target", "").split() if t.startswith("#")}
            for choice in {by_id[t] for t in targets if t in by_id}:
                if text := plain(note):
                    reasons.setdefault(choice, []).append(text)
        for choice, texts in reasons.items():
            self.corrs[choice] = replace(self.corrs[choice], reasons=tuple(texts))

    def _add(self, table: dict, el: etree._Element, record: object, anchor: str,
             where: etree._Element | None = None) -> None:
        table[el] = record
        self.part_of[anchor] = self.top_key(where if where is not None else el)

    def top_key(self, el: etree._Element) -> str:
        for a in el.iterancestors():
            if el in self.part_key:
                break
            el = a
        return self.part_key.get(el, "")

    def _loc(self, el: etree._Element, page: str | None, seq: int) -> Loc:
        div = next((a.get(XML_ID) for a in (el, *el.iterancestors())
                    if local(a) == "div" and a.get(XML_ID)), None)
        return Loc(self.top_key(el), div, page, seq)

    def register(self) -> list[Entity]:
        """The standOff register, each entity with its occurrences in document order."""
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


# ---------------------------------------------------------------- units

def part_kind(top: etree._Element) -> str:
    """What a top-level piece is, from its element, @type and place (docs/encoding.md)."""
    tag, where = local(top), local(top.getparent())
    if tag == "titlePage":
        return "titlepage"
    if where == "body":
        return "body" if tag == "div" else "body-head"
    if tag != "div":
        return "other"  # not rendered (the schema has nothing else there)
    if where == "front" and top.get("type") in ("imprint", "contents"):
        return top.get("type") or ""
    return where  # front | back


def is_unit(el: etree._Element) -> bool:
    """A piece renderers show as a whole, that a page break between pieces can open."""
    tag, parent = local(el), el.getparent()
    if not tag or parent is None:
        return False
    ptag = local(parent)
    if tag == "titlePage":
        return ptag == "front"
    if tag == "div":
        return el.get("type") != "imprint"  # the imprint is shown line by line
    if tag == "item":
        return ptag == "list"
    if ptag == "body":
        return tag != "pb"  # the body's head, text before the first chapter
    if ptag == "div" and parent.get("type") == "imprint":
        return tag in ("ab", "p")
    return is_block(el)


def is_block(el: etree._Element) -> bool:
    """A block of a Division: a child of a div that is rendered as a block."""
    parent = el.getparent()
    return (parent is not None and local(parent) == "div" and parent.get("type") not in LINE_DIVS
            and local(el) not in ("head", "div", "pb", ""))


def before_head(pb: etree._Element) -> bool:
    """A div's pb that comes before its head (div.body = pb*, head, ...)."""
    return any(local(s) == "head" for s in pb.itersiblings())


# ---------------------------------------------------------------- a date's sentence

def enclosing_block(el: etree._Element) -> etree._Element:
    for anc in el.iterancestors():
        if local(anc) in CONTEXT_BLOCKS:
            return anc
    return el.getparent() if el.getparent() is not None else el


def split_around(block: etree._Element, target: etree._Element) -> tuple[str, str]:
    """Reading text of `block` before and after `target` (notes and sic left out)."""
    parts: list[list[str]] = [[], [], []]
    slot = 0

    def walk(e: etree._Element) -> None:
        nonlocal slot
        if e is target:
            slot = 1
        parts[slot].append(e.text or "")
        for c in e:
            if isinstance(c.tag, str) and local(c) not in NOT_READ:
                walk(c)
            if c is target:
                slot = 2
            parts[slot].append(c.tail or "")
    walk(block)
    before, _, after = (re.sub(r"\s+", " ", "".join(p)) for p in parts)
    return before, after


def sentence_around(before: str, after: str) -> tuple[str, str]:
    """Cut `before` and `after` to the sentence that holds the date."""
    start = max(before.rfind(c) for c in SENTENCE_END) + 1
    before = before[start:].lstrip()
    ends = [i for i in (after.find(c) for c in SENTENCE_END) if i >= 0]
    after = (after[: min(ends) + 1] if ends else after).rstrip()
    if len(before) > CONTEXT_MAX:
        before = "…" + before[-CONTEXT_MAX:]
    if len(after) > CONTEXT_MAX:
        after = after[:CONTEXT_MAX] + "…"
    return before, after
