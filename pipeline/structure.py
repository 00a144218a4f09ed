"""Stage 3, structure: recover the book's parts from its cleaned lines.

First every line gets its zone (as GROBID labels page zones before anything
else looks at them): title pages, imprint (CIP + colophon), front sections
(前言, 目录), body, back matter.  Then each zone is read by its own reader, so
that, e.g., the `①` in the CIP classification line is never taken for a note.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import patterns as P
from .imprint import read_imprint, read_title_pages
from .model import (
    CleanLine,
    CleanText,
    Div,
    Document,
    Paragraph,
    Problem,
    Run,
    TocEntry,
)
from .pagination import Pager, Unit, classify, link_notes, paragraphs, run_of

BACK_KINDS = {"appendix": "appendix", "afterword": "afterword", "bibliography": "bibliography"}
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass
class Zones:
    title: list[CleanLine]
    imprint: list[CleanLine]
    front: list[list[CleanLine]]  # each starts with its heading line (前言, 目录)
    body: list[CleanLine]


def cn_number(label: str) -> int:
    """第十二章 → 12, 三、→ 3, 附件四 → 4."""
    digits = "".join(ch for ch in label if ch.isdigit())
    if digits:
        return int(digits)
    total, current = 0, 0
    for ch in label:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def find_zones(lines: list[CleanLine]) -> Zones:
    """Title pages | imprint | front sections | body: consecutive, and together every line."""
    nonblank = [ln for ln in lines if ln.text]
    cip = next((i for i, ln in enumerate(nonblank) if P.CIP_HEAD.match(ln.text)), None)
    after_cip = cip + 1 if cip is not None else 0
    front_starts = [i for i, ln in enumerate(nonblank)
                    if i >= after_cip and (P.PREFACE.match(ln.text) or P.CONTENTS.match(ln.text))]
    body_start = find_body_start(nonblank, front_starts, cip)
    front_starts = [i for i in front_starts if i < body_start]
    first_front = front_starts[0] if front_starts else body_start
    title_end = cip if cip is not None else first_front
    front = [nonblank[start:end] for start, end in zip(front_starts, front_starts[1:] + [body_start])]
    return Zones(nonblank[:title_end], nonblank[title_end:first_front], front, nonblank[body_start:])


def find_body_start(lines: list[CleanLine], front_starts: list[int], cip: int | None) -> int:
    """The body opens at the first chapter heading after the 目录, with any short
    title lines printed just above it."""
    floor = cip + 1 if cip is not None else 0
    toc_end = 0
    for start in front_starts:
        if P.CONTENTS.match(lines[start].text):
            toc_end = start + 1
            while toc_end < len(lines) and P.parse_toc_line(lines[toc_end].text):
                toc_end += 1
    floor = max(floor, toc_end)
    for i in range(floor, len(lines)):
        unit = classify(lines[i])
        if unit.kind == "head" and unit.heading.kind == "chapter":
            j = i
            while j - 1 >= floor and is_title_line(lines[j - 1]):
                j -= 1
            return j
    # No chapter at all: the body is what follows the 目录; without one, the text
    # stays in the front part it started in (preface, imprint), or is all body.
    if toc_end:
        return toc_end
    return len(lines) if front_starts or cip is not None else 0


def is_title_line(line: CleanLine) -> bool:
    return len(line.text) <= 40 and not line.text.endswith(P.TERMINAL[:3]) and classify(line).kind == "para"


def as_paragraph(unit: Unit) -> Unit:
    """In a preface a heading-like line is text: keep all of it, label included."""
    return Unit("para", unit.line) if unit.kind == "head" else unit


def read_toc(lines: list[CleanLine], problems: list[Problem], file: str, pager: Pager) -> list[TocEntry]:
    entries = []
    for line in lines[1:]:
        pos = 0
        page_break = pager.new_page(line, line.page) if line.page_start else None
        for raw, title, page in P.parse_toc_line(line.text):
            start = line.text.index(raw, pos)
            pos = start + len(raw)
            heading = P.classify_heading(title)
            label = heading.label if heading else ""
            level = 2 if heading and heading.kind == "section" else 1
            t_start = start + raw.index(title) + len(label)
            while t_start < len(line.text) and line.text[t_start].isspace():
                t_start += 1
            t_end = start + raw.index(title) + len(title)
            run = run_of(line, t_start, t_end)
            entries.append(TocEntry(level, label, run.reading_text(), page, line.number, raw, run,
                                    page_break=page_break))
            page_break = None
        rest = line.text[pos:].strip(" \t.…·")
        if rest:
            start = line.text.index(rest, pos)
            run = run_of(line, start, start + len(rest))
            entries.append(TocEntry(1, "", run.reading_text(), "", line.number, rest, run, page_break=page_break))
            problems.append(Problem("W020", f"目录 text without a page number kept as an entry: {rest[:20]}",
                                    file, line.number))
    return entries


def unique_id(wanted: str, used: set[str], line: int, problems: list[Problem], file: str) -> str:
    """A repeated chapter or section number (OCR misreading 二 as 一) must not repeat an id."""
    xml_id, k = wanted, 1
    while xml_id in used:
        k += 1
        xml_id = f"{wanted}-{k}"
    if k > 1:
        problems.append(Problem("W032", f"heading number repeats an earlier one; its id is {xml_id}",
                                file, line))
    used.add(xml_id)
    return xml_id


def build_divs(units: list[Unit], pager: Pager, doc: Document, used: set[str]) -> None:
    """Distribute body units over chapters, sections and back-matter divs."""
    file = doc.source.name
    chapter: Div | None = None
    container: Div | None = None
    segment: list[Unit] = []
    opener: list[Unit] = []

    def flush() -> None:
        if container is not None:
            container.blocks.extend(paragraphs(segment, pager))
        segment.clear()

    for unit in units:
        if unit.kind != "head":
            (segment if container is not None else opener).append(unit)
            continue
        flush()
        h = unit.heading
        head = run_of(unit.line, unit.start, len(unit.line.text), unit.markers)
        if h.kind == "chapter":
            n = cn_number(h.label)
            chapter = Div("chapter", unique_id(f"ch{n}", used, unit.line.number, doc.problems, file), head, h.label, str(n),
                          unit.line.number)
            doc.body.append(chapter)
            container = chapter
        elif h.kind == "section" and chapter is not None:
            m = cn_number(h.label)
            container = Div("section", unique_id(f"{chapter.xml_id}-s{m}", used, unit.line.number, doc.problems, file), head,
                            h.label, str(m), unit.line.number)
            chapter.divs.append(container)
        elif h.kind == "section":
            as_text = Unit("para", unit.line, markers=unit.markers, page_before=unit.page_before)
            (segment if container is not None else opener).append(as_text)
            continue
        else:
            kind = BACK_KINDS.get(h.kind, h.kind)
            container = Div(kind, unique_id(f"back{len(doc.back) + 1}", used, unit.line.number, doc.problems, file), head,
                            h.label, "", unit.line.number)
            doc.back.append(container)
            chapter = None
        container.page_before = unit.page_before
    flush()
    read_opener(opener, pager, doc)


def read_opener(opener: list[Unit], pager: Pager, doc: Document) -> None:
    """What the body prints before its first chapter: a title line or two above
    chapter 1 (the body's <head>), and any paragraphs (all of a book without chapters)."""
    heads: list[Unit] = []
    for unit in opener:
        if unit.kind == "note" or (unit.kind == "para" and not is_title_line(unit.line)):
            break
        heads.append(unit)
    if heads:
        doc.body_page_break = heads[0].page_before
        doc.body_head = Run()
        for unit in heads:
            doc.body_head.items.extend(run_of(unit.line, unit.start, len(unit.line.text), unit.markers).items)
    rest = opener[len(heads):]
    if rest:
        doc.body_blocks = paragraphs(rest, pager)


def link_toc(doc: Document) -> None:
    """Point each 目录 entry at the div it names, where that div exists."""
    chapter_id = ""
    divs = {d.xml_id: d for d in all_divs(doc)}
    for entry in doc.toc:
        heading = P.classify_heading(entry.label + entry.title) if entry.label else None
        if heading and heading.kind == "chapter":
            chapter_id = f"ch{cn_number(entry.label)}"
            target = chapter_id
        elif heading and heading.kind == "section":
            target = f"{chapter_id}-s{cn_number(entry.label)}"
        else:
            target = next((d.xml_id for d in doc.front_divs + doc.back
                           if P.squeeze(d.head.reading_text()) == P.squeeze(entry.title)), "")
        entry.target = target if target in divs else ""


def all_divs(doc: Document) -> list[Div]:
    out: list[Div] = []

    def walk(divs: list[Div]) -> None:
        for d in divs:
            out.append(d)
            walk(d.divs)
    walk(doc.front_divs + doc.body + doc.back)
    return out


BRACKETS = (("《", "》"), ("“", "”"), ("（", "）"))


def paragraphs_of(doc: Document) -> list[Paragraph]:
    return [b for d in all_divs(doc) for b in d.blocks if isinstance(b, Paragraph)]


def check_paragraphs(doc: Document, file: str) -> list[Problem]:
    """Unbalanced 《》“”（） within a paragraph or note, and a book that stops mid-paragraph."""
    problems = []
    runs = [(p.run, p.line) for p in paragraphs_of(doc)]
    runs += [(n.body, n.line) for run, _ in list(runs) for n in run.notes()]
    for run, line in runs:
        text = run.reading_text()
        for left, right in BRACKETS:
            if text.count(left) != text.count(right):
                problems.append(Problem("W040", f"unbalanced {left}{right} in this paragraph "
                                        f"({text.count(left)} {left}, {text.count(right)} {right})", file, line))
    body_paragraphs = [p for d in all_divs(doc) if d.type != "preface" for p in d.blocks if isinstance(p, Paragraph)]
    if body_paragraphs:
        last = body_paragraphs[-1]
        if not last.run.reading_text().rstrip().endswith(P.TERMINAL):
            problems.append(Problem("W031", "the text ends inside a paragraph; is the file truncated?", file,
                                    last.line))
    return problems


def structure(text: CleanText) -> Document:
    """Zones, then title pages, imprint, front sections, body and back matter."""
    file = text.source.name
    doc = Document(source=text.source, normalisations=text.normalisations, problems=list(text.problems))
    doc.corrections = [c for ln in text.lines for c in ln.corrections]
    zones = find_zones(text.lines)
    if zones.imprint:
        doc.imprint = read_imprint(zones.imprint)
    doc.title_pages = read_title_pages(zones.title, doc.imprint.fields if doc.imprint else {})
    pager = Pager.for_lines(file, text.lines)
    used = {"imprint", "contents"}  # ids the TEI writer gives the imprint and the 目录
    for section in zones.front:
        head_line = section[0]
        page_break = pager.new_page(head_line, head_line.page) if head_line.page_start else None
        if P.CONTENTS.match(head_line.text) and doc.toc_head is None:
            doc.toc_head = run_of(head_line, 0, len(head_line.text))
            doc.toc_line = head_line.number
            doc.toc_page_break = page_break
            doc.toc = read_toc(section, doc.problems, file, pager)
            continue
        units = [as_paragraph(classify(ln)) for ln in section[1:]]
        link_notes(units, pager)
        kind = "contents" if P.CONTENTS.match(head_line.text) else "preface"  # a second 目录 is kept as text
        div = Div(kind, unique_id(kind, used, head_line.number, doc.problems, file),
                  run_of(head_line, 0, len(head_line.text)), line=head_line.number, page_before=page_break)
        div.blocks = paragraphs(units, pager)
        doc.front_divs.append(div)
    units = [classify(ln) for ln in zones.body]
    link_notes(units, pager)
    build_divs(units, pager, doc, used)
    link_toc(doc)
    doc.problems.extend(pager.problems)
    doc.problems.extend(check_paragraphs(doc, file))
    doc.stats = {"pages detected": pager.page, "notes linked": pager.notes_linked,
                 "paragraphs re-joined": pager.rejoined, "chapters": len(doc.body),
                 "toc entries": len(doc.toc), "corrections": len(doc.corrections)}
    if not doc.body:
        doc.problems.append(Problem("W030", "no chapter heading (第…章) found; the body is empty", file, None))
    return doc
