"""Inline content (a `Run`) to TEI: text, <choice>, <note>, <pb/>, and the
annotation spans woven around them.

Spans count reading-text characters; notes and page breaks take no width.  A
zero-width item standing exactly on a span's edge stays outside the span, so
`奥巴马①` becomes `<persName>奥巴马</persName><note…/>`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .model import Choice, Inline, Note, OrphanMarker, PageBreak, Run, Span, Text
from .model import reading_width as width

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
T = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"


@dataclass
class Counters:
    """Numbering that runs through the whole document (correction ids)."""

    corrections: dict[int, int] = field(default_factory=dict)  # source line → corrections so far
    dropped_spans: list[Span] = field(default_factory=list)


def add_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None, text: str = "") -> etree._Element:
    el = etree.SubElement(parent, T + tag)
    for k, v in (attrs or {}).items():
        if v:
            el.set(k, v)
    if text:
        el.text = text
    return el


def atoms(run: Run, cuts: set[int]) -> list[tuple[int, Inline]]:
    """Items with their reading offsets, Text split at every span edge."""
    out: list[tuple[int, Inline]] = []
    pos = 0
    for item in run.items:
        w = width(item)
        if isinstance(item, Text):
            inner = sorted(c for c in cuts if pos < c < pos + w)
            last = pos
            for c in inner + [pos + w]:
                if c > last:
                    out.append((last, Text(item.text[last - pos:c - pos])))
                last = c
        else:
            out.append((pos, item))
        pos += w
    return out


def usable_spans(run: Run, counters: Counters) -> list[Span]:
    """Drop empty spans and those that would cross another span or cut a <choice>."""
    choice_edges: list[tuple[int, int]] = []
    pos = 0
    for item in run.items:
        w = width(item)
        if isinstance(item, Choice):
            choice_edges.append((pos, pos + w))
        pos += w
    kept: list[Span] = []
    for span in sorted(run.spans, key=lambda s: (s.start, -s.end)):
        cuts_choice = any(a < edge < b for a, b in choice_edges for edge in (span.start, span.end))
        crosses = any(k.start < span.start < k.end < span.end for k in kept)
        if span.end <= span.start or cuts_choice or crosses:
            counters.dropped_spans.append(span)
            continue
        kept.append(span)
    return kept


def write_run(parent: etree._Element, run: Run, counters: Counters) -> None:
    spans = usable_spans(run, counters)
    cuts = {s.start for s in spans} | {s.end for s in spans}
    stack: list[tuple[Span | None, etree._Element]] = [(None, parent)]
    pending = list(spans)
    for pos, item in atoms(run, cuts):
        w = width(item)
        while stack[-1][0] is not None and stack[-1][0].end <= pos:
            stack.pop()
        if w:
            while pending and pending[0].start <= pos:
                span = pending.pop(0)
                if span.start == pos:
                    stack.append((span, sub(stack[-1][1], span.tag, dict(span.attrs))))
        write_item(stack[-1][1], item, counters)


def write_item(parent: etree._Element, item: Inline, counters: Counters) -> None:
    if isinstance(item, Text):
        add_text(parent, item.text)
    elif isinstance(item, Choice):
        # The id names the source line, so adding a correction elsewhere never renumbers this one.
        k = counters.corrections[item.line] = counters.corrections.get(item.line, 0) + 1
        choice = sub(parent, "choice", {XML_ID: f"corr-{item.line}-{k}"})
        sub(choice, "sic", text=item.sic)
        evidence = "external" if item.rule == "editor" else "internal"
        sub(choice, "corr", {"resp": f"#{item.rule}", "cert": item.cert, "evidence": evidence}, item.corr)
        if item.rule == "editor" and item.evidence:
            # The editor's reason travels with the text, as an editorial note on the correction.
            note = sub(parent, "note", {"type": "editorial", "resp": "#editor", "target": f"#{choice.get(XML_ID)}",
                                        XML_ID: f"ed-{choice.get(XML_ID)}"})
            sub(note, "p", text=item.evidence)
    elif isinstance(item, PageBreak):
        sub(parent, "pb", {"n": item.n or ""})
    elif isinstance(item, Note):
        write_note(parent, item, counters)
    elif isinstance(item, OrphanMarker):
        add_text(parent, item.n)


def write_note(parent: etree._Element, note: Note, counters: Counters) -> None:
    attrs = {"place": note.place if note.type != "editorial" else "", "n": note.n, XML_ID: note.xml_id,
             "type": note.type or ("" if note.anchored else "unanchored"), "resp": note.resp}
    el = sub(parent, "note", attrs)
    if is_latin(note.body.reading_text()):
        el.set(XML_LANG, "en")
    write_run(sub(el, "p"), note.body, counters)


def is_latin(text: str) -> bool:
    """A passage in a Western language: mostly ASCII letters, no Han at all."""
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    han = sum("\u3400" <= ch <= "\u9fff" for ch in text)
    return han == 0 and letters >= 0.5 * max(1, len(text.strip()))
