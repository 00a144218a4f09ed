"""Property-based tests of cleaning and structure (hypothesis).

Generated "books" mix the printed patterns the pipeline looks for (chapter and
section headings, 目录 entries, note markers and bodies, CIP head, 前言) with
arbitrary text, so that every reader of `structure` is exercised, not only the
paragraph fallback.  Properties:

- hostile Unicode (C0/C1 controls, NUL, lone surrogates as `surrogateescape`
  leaves them, noncharacters, very long lines) never crashes clean → structure
  → TEI, and the TEI stays valid;
- the TEI of a book-like text is valid (RELAX NG + Schematron);
- nothing is lost: the multiset of Han characters, Latin letters and digits of
  the source lines equals that of the TEI `<text>` read on the original side
  (`<sic>`, not `<corr>`);
- `normalise` is idempotent.

Examples are few (the suite must stay fast) and derandomised (CI must be
deterministic); a failure prints the minimal book.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline import patterns as P
from pipeline.clean import clean, normalise
from pipeline.model import CleanLine, Source, SourceLine
from pipeline.structure import structure
from pipeline.tei import EditionMeta, build_tei, serialise
from pipeline.validate import validate_bytes, validate_document

TEI = "{http://www.tei-c.org/ns/1.0}"
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
COUNTED = re.compile(f"[{P.HAN}A-Za-z0-9]")

# ---------------------------------------------------------------- strategies

HAN_TEXT = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=1, max_size=12)
DIGITS = "一二三四五六七八九"


def cn(n: int) -> str:
    """1–39 as chapter labels print them: 一, 十, 十二, 二十, 三十九."""
    tens, units = divmod(n, 10)
    return ("" if tens == 0 else ("" if tens == 1 else DIGITS[tens - 1]) + "十") + (DIGITS[units - 1] if units else "")


NUMERAL = st.integers(min_value=1, max_value=39).map(cn)
CIRCLED = st.sampled_from(P.CIRCLED[:5])
ASCII_NOISE = st.text(alphabet=" ,.;:!?()-×/^<>&'\"abcXYZ0123456789\t　", max_size=8)
# Characters that cannot appear in XML 1.0 or are otherwise hostile, and
# surrogates as Python's surrogateescape decoder leaves them.
HOSTILE = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
                           "\udc80", "\udcff", "\ud800", "\ufffe", "\uffff", "\u2028", "\u200b", "\ufeff"])
# Any character XML 1.0 allows in a line of text (no controls, surrogates, noncharacters).
XML_SAFE = st.characters(blacklist_categories=("Cc", "Cs", "Cn"))


def mixed_text(hostile: bool) -> st.SearchStrategy[str]:
    """Chinese text with Latin, digits, ASCII punctuation, markers and (optionally) hostile characters."""
    anything = st.text(max_size=6) if hostile else st.text(alphabet=XML_SAFE, max_size=6)
    pieces = [HAN_TEXT, ASCII_NOISE, CIRCLED.map(lambda c: "^" + c), st.sampled_from(["。", "，", "《", "》", "“"]),
              anything]
    if hostile:
        pieces.append(HOSTILE)
    return st.lists(st.one_of(*pieces), max_size=8).map("".join)


def book_line(hostile: bool) -> st.SearchStrategy[str]:
    text = mixed_text(hostile)
    return st.one_of(
        st.builds(lambda n, t: f"第{n}章 {t}", NUMERAL, text),
        st.builds(lambda n, t: f"{n}、{t}", NUMERAL, text),
        st.builds(lambda n, t, p: f"第{n}章 {t}\t({p})", NUMERAL, HAN_TEXT, st.integers(1, 300)),
        st.builds(lambda n, t, p: f"{n}、{t}\t({p})", NUMERAL, HAN_TEXT, st.integers(1, 300)),
        st.builds(lambda c, t: f"{c} {t}", CIRCLED, text),
        st.sampled_from(["目 录", "前 言", "图书在版编目(CIP)数据", "参考文献", "后 记", "附件一 条约", ""]),
        st.builds(lambda t, end: t + end, text, st.sampled_from(["。", "", "”", "？"])),
        text,
    )


def long_line(hostile: bool) -> st.SearchStrategy[str]:
    """A very long line (OCR without line breaks): a short text repeated."""
    return st.builds(lambda t, k: (t or "长") * k, mixed_text(hostile), st.integers(500, 3000))


def book(hostile: bool) -> st.SearchStrategy[list[str]]:
    return st.lists(st.one_of(book_line(hostile), long_line(hostile)) if hostile else book_line(hostile),
                    max_size=25)


# ---------------------------------------------------------------- helpers

def source_of(lines: list[str]) -> Source:
    return Source(Path("book.txt"), [SourceLine(i, t) for i, t in enumerate(lines, 1)], "utf-8", "0" * 64)


def tei_of(lines: list[str]) -> etree._ElementTree:
    return build_tei(structure(clean(source_of(lines))), EditionMeta())


def original_reading(el: etree._Element) -> str:
    """The text of `el` as the source printed it: <sic> kept, <corr> skipped (its tail kept)."""
    out = [el.text or ""] if etree.QName(el).localname != "corr" else []
    for child in el:
        if isinstance(child.tag, str):
            out.append(original_reading(child))
        out.append(child.tail or "")
    return "".join(out)


def counted(text: str) -> Counter:
    return Counter(COUNTED.findall(text))


def assert_valid(tree: etree._ElementTree) -> None:
    problems = validate_document(tree, "book.xml")
    assert not problems, "\n".join(str(p) for p in problems)
    data = serialise(tree)
    assert validate_bytes(data, "book.xml") == []


# ---------------------------------------------------------------- properties

@SETTINGS
@given(book(hostile=True))
@example(["第一章 绪论", "正文\x01内容。"])  # a control character passes ingest (≤ 1 % of the text)
@example(["第一章 绪论", "a\udc80b。"])
@example(["第一章 绪论", "长" * 100_000 + "。"])
def test_hostile_unicode_never_crashes_and_tei_stays_valid(lines: list[str]) -> None:
    assert_valid(tei_of(lines))


@SETTINGS
@given(book(hostile=False))
@example(["第一章 绪论", "正文。", "一、甲", "正文。", "一、乙", "正文。"])  # OCR read 二、 as 一、: ids clash
@example(["目录", "第一章 绪论 (1) 附言", "第一章 绪论", "正文。"])  # a 目录 line with text after its page
def test_book_like_text_gives_valid_tei(lines: list[str]) -> None:
    assert_valid(tei_of(lines))


@SETTINGS
@given(book(hostile=False))
@example(["只有正文，没有章。"])
@example(["序文在前。", "第一章 绪论", "正文。"])
@example(["第一章", "正文。"])  # a chapter heading without a title
def test_nothing_lost_han_latin_digits_reach_the_tei_text(lines: list[str]) -> None:
    text = tei_of(lines).getroot().find(f"{TEI}text")
    assert counted(original_reading(text)) == counted("\n".join(lines))


@SETTINGS
@given(st.one_of(mixed_text(hostile=False), st.text(alphabet=" 　\t,.;:!?()-×/1234567890年月日aZ中文<>w:", max_size=40),
                 st.text(max_size=40)))
@example("1 . 2 . 3")
@example("(a)) 中")  # widening `)` makes its neighbour CJK, so the next pass widens more
@example("))\u3000")
@example("见 http://a.b/c, 一文 (2010 , 5)")
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text, Counter())
    assert normalise(once, Counter()) == once


@SETTINGS
@given(book(hostile=False))
def test_clean_keeps_every_line_and_its_number(lines: list[str]) -> None:
    cleaned = clean(source_of(lines))
    assert [ln.number for ln in cleaned.lines] == list(range(1, len(lines) + 1))
    for src, ln in zip(lines, cleaned.lines):
        assert counted(src) == counted("".join(c.sic for c in ln.corrections) + strip_corrections(ln))


def strip_corrections(line: CleanLine) -> str:
    """The cleaned line with each corrected stretch removed (its sic is counted separately)."""
    out, pos = [], 0
    for c in sorted(line.corrections, key=lambda c: c.start):
        out.append(line.text[pos:c.start])
        pos = c.end
    out.append(line.text[pos:])
    return "".join(out)
