"""PDF pages to text lines: pdfplumber's characters grouped by baseline.

A printed line is the set of characters whose vertical middle falls inside
the span of its full-size characters; superscripts (smaller and raised) are
attached to the line they sit on and written `^①`, the way OCR text shows a
raised note marker.  A wide horizontal gap (a right-aligned page number in a
contents list, a running head beside a page number) becomes a tab.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# A superscript is smaller than this share of its line's type size ...
SUP_MAX_SCALE = 0.8
# ... and its bottom stands at least this share of the type size above the line's.
SUP_MIN_RISE = 0.2
# Gaps between characters, in ems of the line's type: a space, and a tab stop.
SPACE_GAP = 0.3
TAB_GAP = 2.0


@dataclass
class TextLine:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float  # the type size of most of its characters

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class PageText:
    """What a reader needs of one physical page."""

    index: int  # 1-based physical page
    width: float
    height: float
    lines: list[TextLine]
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # (top, x0, x1) horizontal rules
    images: int = 0
    rotated_chars: int = 0
    unmapped_chars: int = 0  # glyphs without a Unicode mapping, shown by pdfminer as "(cid:123)"


def group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters to lines, top to bottom.  Larger characters found the lines,
    so a superscript joins the line it is raised above instead of starting one."""
    lines: list[tuple[float, float, list[dict]]] = []
    for ch in sorted(chars, key=lambda c: (-round(c["size"], 1), c["top"], c["x0"])):
        middle = (ch["top"] + ch["bottom"]) / 2
        for top, bottom, members in lines:
            if top <= middle <= bottom:
                members.append(ch)
                break
        else:
            lines.append((ch["top"], ch["bottom"], [ch]))
    lines.sort(key=lambda ln: ln[0])
    return [sorted(members, key=lambda c: c["x0"]) for _, _, members in lines]


def main_size(chars: list[dict]) -> float:
    """The commonest type size on the line; ties go to the larger size."""
    counts = Counter(round(c["size"], 1) for c in chars if c["text"].strip())
    if not counts:
        return round(chars[0]["size"], 1)
    return max(counts, key=lambda s: (counts[s], s))


def make_line(chars: list[dict]) -> TextLine:
    size = main_size(chars)
    full = [c for c in chars if round(c["size"], 1) >= size * SUP_MAX_SCALE]
    bottom = max(c["bottom"] for c in full)
    out: list[str] = []
    raised = False
    prev: dict | None = None
    for ch in chars:
        sup = ch["size"] < size * SUP_MAX_SCALE and ch["bottom"] < bottom - SUP_MIN_RISE * size
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            if gap > TAB_GAP * size:
                while out and out[-1] == " ":
                    out.pop()
                out.append("\t")
            elif gap > SPACE_GAP * size and not ch["text"].isspace() and not prev["text"].isspace():
                out.append(" ")
        if sup and not raised and ch["text"].strip():
            out.append("^")
        raised = sup if ch["text"].strip() else raised
        if not (ch["text"] == " " and out and out[-1] == "\t"):
            out.append(ch["text"])
        prev = ch
    visible = [c for c in chars if c["text"].strip()] or chars
    return TextLine("".join(out).strip(" "), min(c["top"] for c in full), bottom,
                    visible[0]["x0"], visible[-1]["x1"], size)


def horizontal_rules(page) -> list[tuple[float, float, float]]:
    """Thin horizontal strokes: drawn lines and hairline rectangles."""
    rules = []
    for obj in list(page.lines) + list(page.rects):
        if abs(obj["bottom"] - obj["top"]) <= 1.5 and obj["x1"] - obj["x0"] > 10:
            rules.append((round(obj["top"], 2), round(obj["x0"], 2), round(obj["x1"], 2)))
    return sorted(rules)


def visible_chars(page) -> list[dict]:
    """The page's characters inside its box, each once: fake bold prints a
    glyph twice at (almost) the same place.  (pdfplumber's dedupe_chars does
    the same but costs half the reading time.)"""
    seen: set[tuple[str, float, float]] = set()
    out = []
    for c in page.chars:
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen or c["x0"] < 0 or c["x1"] > page.width + 1 or c["top"] < 0 or c["bottom"] > page.height + 1:
            continue
        seen.add(key)
        out.append(c)
    return out


def read_page(page, index: int) -> PageText:
    """One pdfplumber page to its lines."""
    chars = visible_chars(page)
    mapped = [c for c in chars if not c["text"].startswith("(cid:")]
    upright = [c for c in mapped if c.get("upright", True)]
    lines = [make_line(group) for group in group_lines(upright)]
    return PageText(index, float(page.width), float(page.height), [ln for ln in lines if not ln.blank],
                    horizontal_rules(page), len(page.images), len(mapped) - len(upright), len(chars) - len(mapped))
