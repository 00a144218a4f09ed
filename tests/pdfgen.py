"""Generate a realistic test PDF of a book from its OCR text (test code).

The OCR text form (blank-line separated blocks, footnote bodies as blocks that
start with a circled number, markers as `^①`) is typeset like a printed
Chinese book with reportlab and the built-in CID font STSong-Light: title pages,
a CIP/colophon page, a preface and a contents list, then the body.  Body pages
carry running heads (book title on even pages, chapter title on odd ones) with
the page number at the outer edge; opening pages carry only a centred page
number at the foot.  Footnotes sit in smaller type below a short rule on the
page where their marker is printed; markers are superscripts; paragraphs are
indented 2 em and flow over page breaks where they fall.

`generate()` returns what it printed (`Printed`), so tests can compare what a
reader recovers with what is on each page.  Output is byte-for-byte
deterministic (`invariant=1`).

    python tests/pdfgen.py input/book.txt /tmp/book.pdf
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
CIRCLED = "\u2460-\u2473"
NOTE_BODY = re.compile(rf"^\^?([{CIRCLED}])\s*(.*)$", re.DOTALL)
CHAPTER_RE = re.compile(r"^第[一二三四五六七八九十百\d]+章")
SECTION_RE = re.compile(r"^[一二三四五六七八九十]+、")
TOC_LINE = re.compile(r"^(.*?)[ \t]*([（(]\d+[）)])[ \t]*$")
TERMINAL = tuple("。！？!?…；;：:”’」』）)》>.")

TITLE, CHAPTER, SECTION, BODY, NOTE = "title", "chapter", "section", "body", "note"
PAGE_W, PAGE_H = 185 * mm, 260 * mm  # 16开 (787 × 1092 / 16)
BODY_SIZE, BODY_LEAD = 10.5, 18.0  # 五号 type
NOTE_SIZE, NOTE_LEAD = 9.0, 13.0
HEAD_SIZE = 9.0
TEXT_W = 39 * BODY_SIZE
LEFT = (PAGE_W - TEXT_W) / 2
TOP, BOTTOM = PAGE_H - 72, 64.0  # the text block
SUP_SCALE, SUP_RISE = 0.6, 0.4
NOTE_GAP = 14.0  # between the last body line and the footnote rule
# size, leading, first-line indent in em, centred, space before
STYLES = {TITLE: (18, 30, 0, True, 24), CHAPTER: (16, 28, 0, True, 24), SECTION: (12, 22, 2, False, 8),
          BODY: (BODY_SIZE, BODY_LEAD, 2, False, 0), NOTE: (NOTE_SIZE, NOTE_LEAD, 2, False, 0)}
NO_BREAK_BEFORE = set("，。、；：？！”’）》」』〉…—,.;:?!)]%")


@dataclass
class Seg:
    text: str
    sup: bool = False
    notes: list[str] = field(default_factory=list)  # note bodies printed on the page of this marker


@dataclass
class Piece:
    kind: str
    segs: list[Seg]
    tail_notes: list[str] = field(default_factory=list)  # bodies without a marker

    def plain(self) -> str:
        return "".join(("^" if s.sup else "") + s.text for s in self.segs)


@dataclass
class Block:  # a line of the contents
    kind: str
    text: str
    page: str = ""


@dataclass
class PrintedBlock:
    role: str  # paragraph | continuation | note
    text: str  # superscripts as ^①


@dataclass
class PrintedPage:
    number: str | None
    head: str | None
    opening: bool
    blocks: list[PrintedBlock] = field(default_factory=list)
    notes: list[PrintedBlock] = field(default_factory=list)


@dataclass
class Printed:
    pages: list[PrintedPage] = field(default_factory=list)


@dataclass
class NoteRef:
    body: str  # printed with its marker first: "① …"
    run: int | None  # the box's run holding the marker; None for a body without one


@dataclass
class Box:
    """What a line must not break inside: a Han character with the punctuation
    and markers that follow it, a Latin word, a space."""

    runs: list[tuple[str, bool]]  # (text, superscript)
    width: float
    space: bool = False
    notes: list[NoteRef] = field(default_factory=list)

    def joined(self, other: Box) -> Box:
        shift = len(self.runs)
        moved = [NoteRef(r.body, None if r.run is None else r.run + shift) for r in other.notes]
        return Box(self.runs + other.runs, self.width + other.width, False, self.notes + moved)


@dataclass
class Line:
    boxes: list[Box]
    indent: float
    last: bool = False  # last line of its paragraph: not justified

    def width(self) -> float:
        return sum(b.width for b in self.boxes)

    def notes(self) -> list[NoteRef]:
        return [n for b in self.boxes for n in b.notes]

    def renumber(self, first: int) -> None:
        """Books number notes afresh on every page: the k-th note here is k."""
        for box in self.boxes:
            for ref in box.notes:
                symbol = chr(0x2460 + first)
                first += 1
                if ref.run is not None:
                    box.runs[ref.run] = (symbol, True)
                ref.body = symbol + ref.body[1:]

    def text(self) -> str:
        return "".join(("^" if sup else "") + t for b in self.boxes for t, sup in b.runs).replace("^^", "")


def printable(text: str) -> str:
    """STSong-Light's UCS-2 CMap has no U+00B7; GB 2312's middle dot is U+30FB
    there, and readers map it back to U+00B7."""
    return text.replace("\u00b7", "\u30fb")


def segments(text: str) -> list[Seg]:
    """Text with `^①`/`①` markers to plain and superscript segments."""
    text = text.replace("\n", " ")
    out, pos = [], 0
    for m in re.finditer(rf"\^?([{CIRCLED}])", text):
        if m.start() > pos:
            out.append(Seg(text[pos:m.start()]))
        out.append(Seg(m.group(1), sup=True))
        pos = m.end()
    if pos < len(text):
        out.append(Seg(text[pos:]))
    return out


def boxes_of(segs: list[Seg], size: float) -> list[Box]:
    boxes: list[Box] = []
    for seg in segs:
        if seg.sup:
            box = Box([(seg.text, True)], pdfmetrics.stringWidth(seg.text, FONT, size * SUP_SCALE),
                      notes=[NoteRef(n, 0) for n in seg.notes])
            glue = bool(boxes) and not boxes[-1].space
        else:
            for tok in re.findall(r"[ \t]+|[!-~]+|.", seg.text):
                box = Box([(tok if not tok.isspace() else " ", False)],
                          pdfmetrics.stringWidth(tok if not tok.isspace() else " ", FONT, size), tok.isspace())
                if boxes and not box.space and not boxes[-1].space and tok[0] in NO_BREAK_BEFORE:
                    boxes[-1] = boxes[-1].joined(box)
                else:
                    boxes.append(box)
            continue
        if glue:
            boxes[-1] = boxes[-1].joined(box)
        else:
            boxes.append(box)
    return boxes


def wrap(segs: list[Seg], size: float, indent: float, width: float = TEXT_W) -> list[Line]:
    lines: list[Line] = []
    cur: list[Box] = []
    used, avail = 0.0, width - indent
    for box in boxes_of(segs, size):
        if box.space and not cur:
            continue
        if cur and used + box.width > avail + 0.01:
            while cur and cur[-1].space:
                cur.pop()
            lines.append(Line(cur, indent if not lines else 0.0))
            cur, used, avail = [], 0.0, width
            if box.space:
                continue
        cur.append(box)
        used += box.width
    if cur:
        lines.append(Line(cur, indent if not lines else 0.0))
    if lines:
        lines[-1].last = True
    return lines


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


class Typesetter:
    """Places lines on pages, footnotes at the foot of their marker's page."""

    def __init__(self, canvas: Canvas, title: str) -> None:
        self.c = canvas
        self.title = title
        self.printed = Printed()
        self.page: PrintedPage | None = None
        self.top = TOP
        self.note_lines: list[Line] = []
        self.numbering = ""
        self.count = 0
        self.flow_head: str | None = None
        self.chapter = ""

    # ------------------------------------------------------------ pages
    def new_page(self, opening: bool) -> PrintedPage:
        self.finish_page()
        number = None
        if self.numbering:
            self.count += 1
            number = str(self.count) if self.numbering == "arabic" else roman(self.count)
        head = None
        if number and not opening:
            head = self.flow_head or (self.title if self.count % 2 == 0 else self.chapter or self.title)
        self.page = PrintedPage(number, head, opening)
        self.printed.pages.append(self.page)
        self.top, self.note_lines = TOP, []
        return self.page

    def finish_page(self) -> None:
        page = self.page
        if page is None:
            return
        if self.note_lines:
            n = len(self.note_lines)
            rule = BOTTOM + n * NOTE_LEAD + 4
            self.c.setLineWidth(0.5)
            self.c.line(LEFT, rule, LEFT + TEXT_W / 4, rule)
            for k, line in enumerate(self.note_lines):
                self.draw(line, NOTE_SIZE, BOTTOM + (n - 1 - k) * NOTE_LEAD + 3, False)
        page.blocks.extend(page.notes)
        c = self.c
        if page.head:
            c.setFont(FONT, HEAD_SIZE)
            c.drawCentredString(PAGE_W / 2, PAGE_H - 46, printable(page.head))
            if self.count % 2 == 0:
                c.drawString(LEFT, PAGE_H - 46, page.number)
            else:
                c.drawRightString(LEFT + TEXT_W, PAGE_H - 46, page.number)
            c.setLineWidth(0.5)
            c.line(LEFT, PAGE_H - 52, LEFT + TEXT_W, PAGE_H - 52)
        elif page.number:
            c.setFont(FONT, HEAD_SIZE)
            c.drawCentredString(PAGE_W / 2, 36, page.number)
        c.showPage()
        self.page = None

    # ------------------------------------------------------------ drawing
    def draw(self, line: Line, size: float, baseline: float, centred: bool) -> None:
        """One text object per line; justified by inter-character spacing, as
        CJK typesetting does, except centred lines and a paragraph's last."""
        x = LEFT + ((TEXT_W - line.width()) / 2 if centred else line.indent)
        runs: list[tuple[str, bool]] = []
        for t, sup in (r for b in line.boxes for r in b.runs):
            if runs and runs[-1][1] == sup:  # one string per style: fewer operators, and pdfminer
                runs[-1] = (runs[-1][0] + t, sup)  # drops Tc at each string's end
            else:
                runs.append((t, sup))
        glyphs = sum(len(t) for t, _ in runs)
        spare = TEXT_W - line.indent - line.width()
        text = self.c.beginText(x, baseline)
        text.setCharSpace(0.0 if centred or line.last or glyphs < 2 else spare / (glyphs - 1))
        current = None
        for run, sup in runs:
            style = (size * SUP_SCALE, size * SUP_RISE) if sup else (size, 0.0)
            if style != current:
                text.setFont(FONT, style[0])
                text.setRise(style[1])
                current = style
            text.textOut(printable(run))
        self.c.drawText(text)

    def place(self, line: Line, kind: str, block: PrintedBlock | None) -> PrintedBlock:
        """Put one line on the current page or the next; return the block it extends."""
        size, lead, _, centred, _ = STYLES[kind]
        notes = [wrap([Seg(n.body)], NOTE_SIZE, 2 * NOTE_SIZE) for n in line.notes()]
        extra = sum(len(n) for n in notes)
        if self.page is None or self.top - lead < self.limit(extra):
            self.new_page(opening=False)
            block = None
            if self.top - lead < self.limit(extra):
                raise ValueError(f"a line and its notes do not fit on one page: {line.text()[:40]}")
        line.renumber(len(self.page.notes))
        self.draw(line, size, self.top - size, centred)
        self.top -= lead
        for ref in line.notes():
            self.note_lines.extend(wrap([Seg(ref.body)], NOTE_SIZE, 2 * NOTE_SIZE))
            self.page.notes.append(PrintedBlock("note", ref.body))
        if block is None:
            block = PrintedBlock("continuation" if line.indent == 0 and not centred and kind == BODY else "paragraph",
                                 "")
            self.page.blocks.append(block)
        block.text += line.text()
        return block

    def limit(self, extra_note_lines: int) -> float:
        n = len(self.note_lines) + extra_note_lines
        return BOTTOM + n * NOTE_LEAD + NOTE_GAP if n else BOTTOM

    # ------------------------------------------------------------ parts
    def title_page(self, blocks: list[str]) -> None:
        self.numbering = ""
        page = self.new_page(opening=True)
        sizes = [12, 20, 14, 14] if len(blocks) >= 4 else [20, 14, 14]
        heights = [0.85, 0.66, 0.56, 0.2] if len(blocks) >= 4 else [0.66, 0.56, 0.2]
        for k, text in enumerate(blocks):
            size = sizes[min(k, len(sizes) - 1)]
            y = PAGE_H * heights[min(k, len(heights) - 1)] - 20 * max(0, k - len(heights) + 1)
            self.c.setFont(FONT, size)
            self.c.drawCentredString(PAGE_W / 2, y, printable(text))
            page.blocks.append(PrintedBlock("paragraph", text))

    def imprint_page(self, lines: list[str]) -> None:
        self.numbering = ""
        page = self.new_page(opening=True)
        for text in lines:
            for line in wrap([Seg(text)], 10, 0):
                self.draw(line, 10, self.top - 10, False)
                self.top -= 17
            page.blocks.append(PrintedBlock("paragraph", text))

    def contents(self, blocks: list[Block], numbering: str) -> None:
        self.numbering, self.count, self.flow_head = numbering, 0, squeeze(blocks[0].text)
        page = self.new_page(opening=True)
        self.c.setFont(FONT, 16)
        self.c.drawCentredString(PAGE_W / 2, self.top - 16, blocks[0].text)
        page.blocks.append(PrintedBlock("paragraph", blocks[0].text))
        self.top -= 28 + 24
        for entry in blocks[1:]:
            if self.top - 20 < BOTTOM:
                page = self.new_page(opening=False)
            indent = 2 * BODY_SIZE if SECTION_RE.match(entry.text) else 0
            self.c.setFont(FONT, BODY_SIZE)
            self.c.drawString(LEFT + indent, self.top - BODY_SIZE, printable(entry.text))
            self.c.drawRightString(LEFT + TEXT_W, self.top - BODY_SIZE, entry.page)
            self.top -= 20
            page.blocks.append(PrintedBlock("paragraph", f"{entry.text}\t{entry.page}"))

    def flow(self, pieces: list[Piece], numbering: str, head: str | None) -> None:
        self.finish_page()
        self.numbering, self.count, self.flow_head, self.chapter = numbering, 0, head, ""
        for piece in pieces:
            size, lead, indent, _, before = STYLES[piece.kind]
            if piece.kind in (TITLE, CHAPTER):
                only_titles = self.page is not None and all(b.role == "paragraph" for b in self.page.blocks) \
                    and len(self.page.blocks) <= 1 and self.page.opening
                if not only_titles:
                    self.new_page(opening=True)
                if piece.kind == CHAPTER:
                    self.chapter = re.sub(rf"\^?[{CIRCLED}]", "", piece.plain())
            if self.page is not None and self.top < TOP:
                keep = before + lead + (2 * BODY_LEAD if piece.kind == SECTION else 0)
                if self.top - keep < self.limit(0):
                    self.new_page(opening=False)
                else:
                    self.top -= before
            lines = wrap(piece.segs, size, indent * size)
            if lines and piece.tail_notes:
                lines[-1].boxes[-1].notes.extend(NoteRef(n, None) for n in piece.tail_notes)
            block = None
            for line in lines:
                block = self.place(line, piece.kind, block)
        self.finish_page()


def split_blocks(text: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    return [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text) if b.strip()]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def ends_sentence(text: str) -> bool:
    core = re.sub(rf"(\^?[{CIRCLED}])+$", "", text.rstrip()).rstrip()
    return core.endswith(TERMINAL)


def parts_of(blocks: list[str]) -> dict[str, list[str]]:
    """Title pages, imprint, preface, contents and body by simple landmarks."""
    cip = next(i for i, b in enumerate(blocks) if "在版编目" in b)
    preface = next(i for i, b in enumerate(blocks) if i > cip and squeeze(b) in ("前言", "序言", "序"))
    contents = next(i for i, b in enumerate(blocks) if squeeze(b) == "目录")
    body = contents + 1
    while body < len(blocks) and all(TOC_LINE.match(ln) for ln in blocks[body].splitlines() if ln.strip()):
        body += 1
    return {"title": blocks[:cip], "imprint": blocks[cip:preface], "preface": blocks[preface:contents],
            "contents": blocks[contents:body], "body": blocks[body:]}


def book_title(imprint: list[str]) -> str:
    for block in imprint:
        if m := re.match(r"^书\s*名\s+(.+)$", block):
            return m.group(1).strip()
    return ""


def flow_pieces(blocks: list[str], first_is_head: bool) -> list[Piece]:
    """Blocks of a run of text to pieces to typeset, notes attached to markers.

    A note group closes an OCR page: its bodies belong to markers printed since
    the previous group.  A paragraph cut by the OCR page end (no closing
    punctuation) is re-joined, so that the PDF breaks it where the new layout
    puts the page end, not where the book did.
    """
    pieces: list[Piece] = []
    group: list[Piece] = []
    notes: list[str] = []
    for i, text in enumerate(blocks):
        if NOTE_BODY.match(text) and i > 0:
            notes.append(text)
            continue
        if notes:
            attach_notes(notes, group)
            notes, group = [], []
        kind = kind_of(text, i, first_is_head, pieces)
        last = pieces[-1] if pieces else None
        if kind == BODY and last is not None and last.kind == BODY and not ends_sentence(last.plain()):
            last.segs.extend(segments(text))
            if last not in group:
                group.append(last)
            continue
        piece = Piece(kind, segments(text))
        pieces.append(piece)
        group.append(piece)
    if notes:
        attach_notes(notes, group)
    return pieces


def kind_of(text: str, i: int, first_is_head: bool, pieces: list[Piece]) -> str:
    if i == 0 and first_is_head:
        return CHAPTER
    if CHAPTER_RE.match(text):
        return CHAPTER
    if SECTION_RE.match(text) and len(text) < 40:
        return SECTION
    if not any(p.kind == CHAPTER for p in pieces) and len(text) < 40 and not ends_sentence(text):
        return TITLE  # a title printed above the first chapter
    return BODY


def attach_notes(notes: list[str], group: list[Piece]) -> None:
    for text in notes:
        m = NOTE_BODY.match(text)
        body = f"{m.group(1)} {m.group(2)}"
        seg = next((s for p in group for s in p.segs if s.sup and s.text == m.group(1) and not s.notes), None)
        if seg is not None:
            seg.notes.append(body)
        elif group:
            group[-1].tail_notes.append(body)  # no marker: printed on the page the group's text ends


def toc_blocks(blocks: list[str]) -> list[Block]:
    out = [Block("tochead", blocks[0])]
    for block in blocks[1:]:
        for line in block.splitlines():
            if m := TOC_LINE.match(line.strip()):
                out.append(Block("toc", m.group(1).rstrip(), m.group(2)))
    return out


def generate(src: Path, dest: Path) -> Printed:
    """Typeset the OCR text `src` as the PDF `dest`; return what was printed."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    parts = parts_of(split_blocks(src.read_text(encoding="utf-8")))
    title = book_title(parts["imprint"]) or squeeze(parts["title"][1] if len(parts["title"]) > 1 else "")
    canvas = Canvas(str(dest), pagesize=(185 * mm, 260 * mm), invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("pdfgen test fixture")
    canvas.setCreator("tests/pdfgen.py")
    ts = Typesetter(canvas, title)
    for page in title_pages(parts["title"]):
        ts.title_page(page)
    ts.imprint_page([ln for b in parts["imprint"] for ln in b.splitlines()])
    ts.flow(flow_pieces(parts["preface"], first_is_head=True), numbering="arabic",
            head=squeeze(parts["preface"][0]))
    ts.contents(toc_blocks(parts["contents"]), numbering="roman")
    ts.flow(flow_pieces(parts["body"], first_is_head=False), numbering="arabic", head=None)
    canvas.save()
    return ts.printed


def title_pages(blocks: list[str]) -> list[list[str]]:
    """A title page ends with the publisher's line."""
    pages: list[list[str]] = [[]]
    for block in blocks:
        pages[-1].append(block)
        if block.rstrip().endswith("出版社"):
            pages.append([])
    return [p for p in pages if p]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tests/pdfgen.py BOOK.txt OUT.pdf")
    printed = generate(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{sys.argv[2]}: {len(printed.pages)} pages")
