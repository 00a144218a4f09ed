"""Larger books for the benchmark, made from the real one.

A scaled book keeps the book's front matter (title pages, imprint, preface,
目录) and repeats its body chapters with fresh numbering: 第一章 … 第二十章 …,
so chapter ids stay unique and the 目录 still points at every chapter.
Section numbering (一、二、…) and note markers (①②…) are page-local in a
printed book, so a copied chapter keeps them as they are.  The editor's files
in the book's folder (corrections, register, annotations, edition metadata)
are copied beside the scaled book, as `BuildConfig.beside` expects them.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline import patterns as P

EDITOR_FILES = ("corrections.tsv", "register.toml", "annotations.toml", "edition.toml")
DIGITS = "零一二三四五六七八九"
TRAILING_MARKERS = re.compile(rf"(\^?[{P.CIRCLED}])+$")
# The 目录 gives pages; the copies pretend each chapter fills this many.
PAGES_PER_CHAPTER = 19


@dataclass(frozen=True)
class BookParts:
    """The book cut where the bench needs it."""

    before_toc_entries: list[str]  # up to the first chapter/section entry of the 目录
    toc_chapter_title: str  # the first chapter's title as the 目录 prints it
    after_toc_entries: list[str]  # rest of the 目录 (back matter) and lines up to the first chapter
    chapter: list[str]  # the first chapter heading to the end of the file


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as chapter labels print them)."""
    if not 0 < n < 1000:
        raise ValueError(f"chapter number out of range: {n}")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = ""
    if hundreds:
        out += DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    if units:
        out += DIGITS[units]
    return out


def heading_of(line: str) -> P.Heading | None:
    return P.classify_heading(TRAILING_MARKERS.sub("", line.strip()))


def split_book(lines: list[str]) -> BookParts:
    """Find the 目录's chapter entries and the first chapter of the body."""
    toc = next((i for i, ln in enumerate(lines) if P.CONTENTS.match(ln.strip())), None)
    if toc is None:
        raise ValueError("the book has no 目录; cannot renumber its chapters")
    entries = [i for i in range(toc + 1, len(lines)) if P.parse_toc_line(lines[i])]
    numbered = [i for i in entries if (h := heading_of(P.parse_toc_line(lines[i])[0][1]))
                and h.kind in ("chapter", "section")]
    if not numbered:
        raise ValueError("the 目录 lists no chapters")
    first_entry, last_entry = numbered[0], numbered[-1]
    toc_end = entries[-1] + 1
    start = next((i for i in range(toc_end, len(lines))
                  if (h := heading_of(lines[i])) and h.kind == "chapter"), None)
    if start is None:
        raise ValueError("no chapter heading after the 目录")
    end = next((i for i in range(start + 1, len(lines))
                if (h := heading_of(lines[i])) and h.kind == "chapter"), len(lines))
    chapter_title = heading_of(P.parse_toc_line(lines[first_entry])[0][1]).title
    return BookParts(lines[:first_entry], chapter_title, lines[last_entry + 1:start], lines[start:end])


def renumber(chapter: list[str], n: int) -> list[str]:
    """The chapter with its heading label 第…章 replaced by chapter n's."""
    out = list(chapter)
    label = heading_of(out[0]).label
    out[0] = out[0].replace(label, f"第{cn_numeral(n)}章", 1)
    return out


def toc_lines(chapter: list[str], title: str, n: int) -> list[str]:
    """目录 entries for copy n: the chapter and the sections its body has."""
    page = 1 + (n - 1) * PAGES_PER_CHAPTER
    out = [f"第{cn_numeral(n)}章 {title}\t({page})"]
    for line in chapter[1:]:
        h = heading_of(line)
        if h and h.kind == "section" and len(line.strip()) <= 30:
            out.append(f"{h.label}{P.squeeze(h.title)}\t({page})")
    return out


def scaled_text(text: str, chapters: int) -> str:
    """The book with its first chapter repeated `chapters` times, 目录 rewritten to match."""
    lines = text.split("\n")
    parts = split_book(lines)
    toc: list[str] = []
    body: list[str] = []
    for n in range(1, chapters + 1):
        toc += toc_lines(parts.chapter, parts.toc_chapter_title, n)
        copy = renumber(parts.chapter, n)
        if body and body[-1].strip():
            body.append("")
        body += copy
    return "\n".join(parts.before_toc_entries + toc + parts.after_toc_entries + body)


def chapters_for(text: str, factor: float) -> int:
    """How many chapter copies make the book about `factor` times its size (in bytes)."""
    if factor <= 1:
        return 0
    lines = text.split("\n")
    parts = split_book(lines)
    chapter = len("\n".join(parts.chapter).encode("utf-8"))
    rest = len(text.encode("utf-8")) - chapter
    return max(1, round((factor * len(text.encode("utf-8")) - rest) / chapter))


def make_book(source: Path, folder: Path, factor: float) -> Path:
    """Write the book scaled by `factor` (1 = an exact copy) into `folder`, with the editor's files."""
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    n = chapters_for(text, factor)
    target = folder / source.name
    target.write_text(scaled_text(text, n) if n else text, encoding="utf-8")
    for name in EDITOR_FILES:
        if (source.parent / name).exists():
            shutil.copy2(source.parent / name, folder / name)
    return target


def markdown_of(text: str) -> str:
    """The same text as Markdown for pandoc: chapter and section headings marked, lines as paragraphs."""
    out = []
    for line in text.split("\n"):
        h = heading_of(line)
        stripped = line.strip()
        if h and h.kind == "chapter" and len(stripped) <= 40:
            out.append(f"# {stripped}")
        elif h and h.kind == "section" and len(stripped) <= 30:
            out.append(f"## {stripped}")
        else:
            out.append(stripped)
    return "\n".join(out) + "\n"
