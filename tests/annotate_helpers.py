"""Shared by the annotate tests: documents from plain paragraphs, the gold file."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from pipeline.model import Div, Document, Paragraph, Run, Source, Span, Text

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "annotations.xml"
REGISTER = ROOT / "input" / "register.toml"
ANNOTATIONS = ROOT / "input" / "annotations.toml"
TAGS = ("persName", "placeName", "orgName", "title", "date")


def document(*paragraphs: str) -> Document:
    """A Document whose preface holds `paragraphs`, one Run of plain text each."""
    div = Div(type="preface", xml_id="preface", head=Run([Text("前言")]), line=1,
              blocks=[Paragraph(Run([Text(p)]), line=i + 2) for i, p in enumerate(paragraphs)])
    return Document(source=Source(Path("book.txt"), [], "utf-8", ""), front_divs=[div])


def gold(path: Path = GOLD) -> list[tuple[int, str, list[Span]]]:
    """(line, text, spans) for each hand-annotated paragraph of a gold file."""
    return [(int(p.get("line")), *flatten(p)) for p in etree.parse(str(path)).getroot().iter("p")]


def flatten(element: etree._Element) -> tuple[str, list[Span]]:
    parts: list[str] = []
    spans: list[Span] = []

    def walk(el: etree._Element) -> None:
        start = sum(map(len, parts))
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if el is not element:
            spans.append(Span(start, sum(map(len, parts)) - len(""), el.tag, tuple(sorted(el.attrib.items()))))

    walk(element)
    return "".join(parts), spans


def key(span: Span, with_attrs: bool) -> tuple:
    attrs = tuple(sorted(span.attrs)) if with_attrs else ()
    return (span.start, span.end, span.tag, attrs)


def scores(found: list[list[Span]], expected: list[list[Span]], with_attrs: bool) -> dict[str, tuple[float, float, int]]:
    """Per tag: (precision, recall, gold count), spans compared exactly."""
    out = {}
    for tag in TAGS:
        tp = fp = fn = 0
        for f, e in zip(found, expected):
            fs = {key(s, with_attrs) for s in f if s.tag == tag}
            es = {key(s, with_attrs) for s in e if s.tag == tag}
            tp, fp, fn = tp + len(fs & es), fp + len(fs - es), fn + len(es - fs)
        out[tag] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp + fn)
    return out
