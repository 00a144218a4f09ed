"""Page layout of a book PDF: furniture, footnotes, paragraphs.

Book typography gives each kind of text its place and its size, so a reader
can tell them apart without knowing the book:

- running heads and page numbers (furniture) sit above or below the text
  block, at the same height on many pages; a line that is only a number
  (arabic or roman) at the top or bottom of a page is a page number;
- footnotes sit below a short rule at the foot of the page, in smaller type
  than the body; each starts with its marker;
- a paragraph starts with an indented line, or after a line that stops short
  of the right margin; a page that opens with a full-width line at the left
  margin continues the paragraph the previous page ended in mid-line.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .pdf_lines import PageText, TextLine

PAGE_NUMBER = re.compile(r"^[\s\-–—·•.()（）]*(\d{1,4}|[ivxlcdm]{1,7}|[IVXLCDM]{1,7})[\s\-–—·•.()（）]*$")
NOTE_START = re.compile(r"^\^?[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")
# Share of the pages on which a head or foot position must recur to count as furniture.
BAND_SHARE = 0.2
SIZE_TOLERANCE = 0.6  # points: the same type size
INDENT = 0.5  # ems right of the margin: an indented line
FULL = 1.5  # ems short of the right margin: still a full line
NOTE_RULE_MAX = 0.6  # a footnote rule is shorter than this share of the text width


@dataclass
class Block:
    text: str
    role: str  # paragraph | continuation | note


@dataclass
class PageLayout:
    index: int
    number: str | None
    blocks: list[Block]
    heads: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    ends_full: bool = False  # the last body line runs to the right margin


@dataclass
class Geometry:
    """Measures shared by the whole book (per side, for mirrored margins)."""

    body_size: float
    left: dict[int, float]
    right: dict[int, float]
    head_tops: set[int]
    foot_tops: set[int]


def mode(values: list[float], default: float) -> float:
    counts = Counter(values)
    return max(counts, key=lambda v: (counts[v], -v)) if counts else default


def measure(pages: list[PageText]) -> Geometry:
    sizes = [ln.size for p in pages for ln in p.lines for _ in range(len(ln.text))]
    body = mode(sizes, 10.0)
    left: dict[int, float] = {}
    widths: list[float] = []
    for side in (0, 1):
        lines = [ln for p in pages if p.index % 2 == side for ln in p.lines if abs(ln.size - body) <= SIZE_TOLERANCE]
        left[side] = mode([round(ln.x0) for ln in lines], 0.0)
        widths += [round(ln.x1 - left[side]) for ln in lines]
    # Margins mirror from recto to verso; the measure is the same on both.
    width = -mode([-w for w in widths], 0.0)
    right = {side: x + width for side, x in left.items()}
    return Geometry(body, left, right, recurring(pages, 0), recurring(pages, -1))


def recurring(pages: list[PageText], end: int) -> set[int]:
    """Heights (rounded) at which the first (end=0) or last (end=-1) line of
    many pages stands apart from the text: where running heads or page
    numbers are printed."""
    with_text = [p for p in pages if len(p.lines) >= 2]
    tops = Counter(round(p.lines[end].top) for p in with_text if stands_apart(p, end))
    need = max(2, BAND_SHARE * len(with_text))
    found = {t for t, n in tops.items() if n >= need}
    return found | {t + d for t in found for d in (-1, 1)}


def furniture(page: PageText, geo: Geometry) -> tuple[list[TextLine], list[TextLine]]:
    """Split off running heads and page numbers: (furniture, the rest)."""
    lines = list(page.lines)
    found: list[TextLine] = []
    for end, band in ((0, geo.head_tops), (-1, geo.foot_tops)):
        if not lines or not stands_apart(PageText(page.index, page.width, page.height, lines, page.rules), end):
            continue
        line = lines[end]
        if line.size > geo.body_size + SIZE_TOLERANCE:
            continue
        number = all(PAGE_NUMBER.match(s) for s in line.text.split("\t"))
        # A running head never stands alone on a page; a page number may (a blank page).
        if number or (round(line.top) in band and len(lines) > 1):
            found.append(lines.pop(end))
    return found, lines


def stands_apart(page: PageText, end: int) -> bool:
    """The first (end=0) or last (end=-1) line is set off from its neighbour
    by at least a line of space or by a rule."""
    lines = page.lines
    if len(lines) < 2:
        return True
    line, neighbour = (lines[0], lines[1]) if end == 0 else (lines[-1], lines[-2])
    gap = neighbour.top - line.bottom if end == 0 else line.top - neighbour.bottom
    return gap >= min(line.size, neighbour.size) or rule_between(page, line, neighbour)


def rule_between(page: PageText, a: TextLine, b: TextLine | None) -> bool:
    if b is None:
        return False
    lo, hi = sorted((a.bottom, b.top) if a.top < b.top else (b.bottom, a.top))
    return any(lo <= top <= hi for top, _, _ in page.rules)


def split_notes(page: PageText, lines: list[TextLine], geo: Geometry) -> tuple[list[TextLine], list[TextLine]]:
    """(body lines, footnote lines): below a short rule in the lower half of
    the page, or else a final run of smaller type that opens with a marker."""
    width = geo.right[page.index % 2] - geo.left[page.index % 2] or page.width
    small = [ln for ln in lines if ln.size < geo.body_size - SIZE_TOLERANCE]
    for top, x0, x1 in page.rules:
        if top > page.height / 2 and x1 - x0 < NOTE_RULE_MAX * width and any(ln.top > top for ln in small):
            return [ln for ln in lines if ln.top < top], [ln for ln in lines if ln.top > top]
    k = len(lines)
    while k > 0 and lines[k - 1].size < geo.body_size - SIZE_TOLERANCE:
        k -= 1
    if k < len(lines) and k > 0 and NOTE_START.match(lines[k].text):
        return lines[:k], lines[k:]
    return lines, []


def join(a: str, b: str) -> str:
    """Lines of one block: Latin words broken at a line end get their space back."""
    if a and b and re.match(r"[A-Za-z0-9,.;:)\]]", a[-1]) and re.match(r"[A-Za-z0-9(\[<]", b[0]):
        return f"{a} {b}"
    return a + b


def blocks_of(lines: list[TextLine], left: float, right: float, note: bool) -> list[tuple[list[TextLine], str]]:
    """Group lines into blocks by indentation, short last lines, size and gaps."""
    if note and lines:
        left = min(ln.x0 for ln in lines)
    groups: list[list[TextLine]] = []
    for ln in lines:
        prev = groups[-1][-1] if groups else None
        new = (prev is None or abs(ln.size - prev.size) > SIZE_TOLERANCE
               or ln.x0 > left + INDENT * ln.size
               or prev.x1 < right - FULL * prev.size
               or "\t" in prev.text  # a tab stop (contents, a form) ends its line
               or ln.top - prev.bottom > ln.size
               or (note and NOTE_START.match(ln.text) is not None))
        if new:
            groups.append([ln])
        else:
            groups[-1].append(ln)
    out = []
    for group in groups:
        text = group[0].text
        for ln in group[1:]:
            text = join(text, ln.text)
        out.append((group, text))
    return out


def lay_out(page: PageText, geo: Geometry, previous_full: bool) -> PageLayout:
    furn, rest = furniture(page, geo)
    heads, numbers = [], []
    for line in furn:
        for part in (s.strip() for s in line.text.split("\t")):
            if not part:
                continue
            if m := PAGE_NUMBER.match(part):
                numbers.append(m.group(1))
            else:
                heads.append(part)
    body, notes = split_notes(page, rest, geo)
    side = page.index % 2
    left, right = geo.left[side], geo.right[side]
    layout = PageLayout(page.index, numbers[0] if numbers else None, [], heads, numbers)
    for k, (group, text) in enumerate(blocks_of(body, left, right, note=False)):
        first = group[0]
        continues = (k == 0 and previous_full and abs(first.size - geo.body_size) <= SIZE_TOLERANCE
                     and first.x0 <= left + INDENT * first.size)
        layout.blocks.append(Block(text, "continuation" if continues else "paragraph"))
    if body:
        last = body[-1]
        layout.ends_full = abs(last.size - geo.body_size) <= SIZE_TOLERANCE and last.x1 >= right - FULL * last.size
    for _, text in blocks_of(notes, left, right, note=True):
        layout.blocks.append(Block(text, "note"))
    return layout
