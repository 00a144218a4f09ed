"""Stage 2, clean: undo the OCR's spacing and punctuation noise, then correct
character errors where the book itself (or the editor) says what is right.

Normalisations (spaces, punctuation widths) are counted, not marked: the TEI
header declares them once.  Corrections of characters are `Correction`s that
the TEI writes as <choice><sic/><corr/></choice>.

Before:  `美 国 防 护 散 与 反 护 散 政 策 研 究` / `2010 年 5 月` / `核裁军, 即`
After:   `美国防扩散与反扩散政策研究` (two corrections) / `2010年5月` / `核裁军，即`
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from . import patterns as P
from .editor_files import EditorFileError, read_editor_text
from .model import CleanLine, CleanText, Correction, Problem, Source, SourceLine

SPACE = "[ \\t\\u3000\\u00a0]+"
PROTECTED = re.compile(r"https?://[^\s<>]+|<<[^<>]*>>|www\.[^\s<>]+")
WIDE = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

Transform = Callable[[str, Counter], str]


# ---------------------------------------------------------------- normalisation

# What XML 1.0 cannot carry at all: C0 controls but tab, lone surrogates, U+FFFE/FFFF.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def drop_xml_illegal(line: SourceLine, file: str, problems: list[Problem]) -> str:
    """Characters no XML file may hold: dropped, each line reported (they are never text)."""
    found = XML_ILLEGAL.findall(line.text)
    if not found:
        return line.text
    codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in found}))
    problems.append(Problem("W050", f"{len(found)} character(s) that XML cannot hold dropped ({codes})",
                            file, line.number))
    return XML_ILLEGAL.sub("", line.text)

def remove_cjk_spaces(text: str, counts: Counter) -> str:
    """Spaces with Chinese on either side are OCR artefacts of letter-spacing."""
    pattern = re.compile(f"(?<=[{P.CJKISH}]){SPACE}|{SPACE}(?=[{P.CJKISH}])")
    new, n = pattern.subn("", text)
    counts["space-cjk"] += n
    return new


def join_number_parts(text: str, counts: Counter) -> str:
    """`978 - 7`, `35. 00`, `787 × 1092`: one number, printed without spaces."""
    new, n = re.subn(r"(?<=\d)[ \t]*([.\-×/:])[ \t]+(?=\d)|(?<=\d)[ \t]+([.\-×])[ \t]*(?=\d)",
                     lambda m: m.group(1) or m.group(2), text)
    counts["space-number"] += n
    return new


def remove_space_before_latin_punct(text: str, counts: Counter) -> str:
    """`I .` and `IV .`: English never puts a space before these marks."""
    new, n = re.subn(r"(?<=[A-Za-z0-9])[ \t]+(?=[.,;:!?)](?!\d))", "", text)
    counts["space-latin-punct"] += n
    return new


def widen_punctuation(text: str, counts: Counter) -> str:
    """ASCII , : ; ! ? ( ) inside Chinese text become full-width; Latin keeps ASCII."""
    chars = list(text)
    partner = match_parentheses(text)
    for i, ch in enumerate(chars):
        if ch not in WIDE:
            continue
        if ch in "()":
            j = partner.get(i)
            if j is None:
                chinese = is_cjk(prev_char(chars, i), False) or is_cjk(next_char(chars, i), False)
            else:
                a, b = min(i, j), max(i, j)
                inside = text[a + 1 : b]
                chinese = (is_cjk(prev_char(chars, a), False) or is_cjk(next_char(chars, b), False)
                           or bool(P.HAN_CHAR.search(inside)))
        else:
            chinese = is_cjk(prev_char(chars, i))
        if chinese:
            chars[i] = WIDE[ch]
            counts["punct-width"] += 1
    return "".join(chars)


def match_parentheses(text: str) -> dict[int, int]:
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            j = stack.pop()
            pairs[i], pairs[j] = j, i
    return pairs


def prev_char(chars: list[str], i: int) -> str:
    return chars[i - 1] if i > 0 else ""


def next_char(chars: list[str], i: int) -> str:
    return chars[i + 1] if i + 1 < len(chars) else ""


def is_cjk(ch: str, brackets: bool = True) -> bool:
    """Chinese context for a neighbouring ASCII mark.  For a parenthesis, a full-width
    bracket is no evidence (`brackets=False`): it may be one this very pass widened,
    and counting it would make normalising twice differ from normalising once."""
    return bool(ch) and (brackets or ch not in "（）") and bool(P.CJK_CHAR.match(ch))


# The normalisations, in the order they run.  Each is Transform(text, counts).
NORMALISATIONS: list[Transform] = [
    remove_cjk_spaces,
    join_number_parts,
    remove_space_before_latin_punct,
    widen_punctuation,
    remove_cjk_spaces,  # again: a widened `，` now has Chinese on its side
]


def normalise(text: str, counts: Counter) -> str:
    """Apply every normalisation outside URLs; a URL is kept byte for byte."""
    out, last = [], 0
    for m in PROTECTED.finditer(text):
        out.append(normalise_plain(text[last:m.start()], counts))
        out.append(m.group(0))
        last = m.end()
    out.append(normalise_plain(text[last:], counts))
    return "".join(out)


def normalise_plain(text: str, counts: Counter) -> str:
    for transform in NORMALISATIONS:
        text = transform(text, counts)
    return text


# ---------------------------------------------------------------- corrections

@dataclass(frozen=True)
class EditorCorrection:
    sic: str
    corr: str
    context: str
    cert: str
    note: str
    row: int


CERTAINTIES = ("high", "medium", "low")
COLUMNS = ("sic", "corr", "context", "cert", "note")


def load_editor_corrections(path: Path | None) -> tuple[list[EditorCorrection], list[Problem]]:
    """Read `corrections.tsv`: sic, corr, context, cert, note (header row required).

    Row numbers are the file's own line numbers, comments and blank lines counted."""
    if path is None or not path.exists():
        return [], []
    text = read_editor_text(path)
    numbered = [(n, ln) for n, ln in enumerate(text.splitlines(), start=1) if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        return [], []
    header_line, header = numbered[0]
    fields = [f.strip() for f in header.split("\t")]
    missing = [c for c in ("sic", "corr") if c not in fields]
    if missing:
        raise EditorFileError(f"{path}:{header_line}: the header row must name the tab-separated columns "
                              f"{', '.join(COLUMNS)} (missing: {', '.join(missing)})")
    rows, problems = [], []
    for n, line in numbered[1:]:
        row = correction_row(path, n, line, fields)
        sic, corr, cert = row.get("sic", ""), row.get("corr", ""), row.get("cert") or "high"
        if not sic:
            problems.append(Problem("C003", "row has no sic reading; skipped", path.name, n))
            continue
        context = row.get("context") or sic
        if sic not in context:
            problems.append(Problem("C004", f"context does not contain the sic reading {sic!r}; skipped", path.name, n))
            continue
        rows.append(EditorCorrection(sic, corr, context, cert, row.get("note", ""), n))
    return rows, problems


def correction_row(path: Path, n: int, line: str, fields: list[str]) -> dict[str, str]:
    """One row of corrections.tsv by column name; its shape and cert checked."""
    if "\t" not in line:
        raise EditorFileError(f"{path}:{n}: no tab in this row; columns are separated by tabs, not spaces")
    values = [v.strip() for v in line.split("\t")]
    # Empty trailing columns lose nothing; text beyond the header is a tab inside a value.
    if any(values[len(fields):]):
        raise EditorFileError(f"{path}:{n}: this row has {len(values)} columns, the header {len(fields)} "
                              f"({', '.join(fields)}); is there a tab inside a value?")
    row = dict(zip(fields, values))
    cert = row.get("cert") or "high"
    if cert not in CERTAINTIES:
        # A space typed for a tab shifts every later value one column left.
        shifted = (f"; the row has {len(values)} columns, the header {len(fields)}: are the columns shifted "
                   "(a space where a tab should be)?") if len(values) < len(fields) else ""
        raise EditorFileError(f"{path}:{n}: cert must be one of {', '.join(CERTAINTIES)}, not {cert!r}{shifted}")
    return row


def diff_corrections(wrong: str, right: str) -> list[tuple[int, int, str]]:
    """Edits that turn `wrong` into `right`, as (start, end, replacement) on `wrong`.

    Pure insertions and deletions are widened by one neighbouring character so
    that neither reading of a <choice> is empty.
    """
    edits = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, wrong, right, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if i1 == i2 or j1 == j2:
            # Widen to the right where possible: 美国国防 → sic 国国, corr 国 (the doubled
            # character), rather than sic 美国, corr 美, which misstates what was printed.
            if i2 < len(wrong) and j2 < len(right):
                i2, j2 = i2 + 1, j2 + 1
            else:
                i1, j1 = i1 - 1, j1 - 1
        edits.append((i1, i2, right[j1:j2]))
    return edits


class Evidence:
    """What the book says about its own words: reading counts and jieba's dictionary."""

    def __init__(self, book_text: str) -> None:
        self.book_text = book_text

    def score(self, reading: str) -> float:
        """How plausible a reading is; the dictionary only loads when asked."""
        from .jieba_setup import dictionary_frequency

        return self.book_text.count(reading) + 10 * dictionary_frequency(reading)


def correction_for(line: CleanLine, start: int, end: int, corr: str, rule: str, cert: str,
                   evidence: str) -> tuple[str, Correction]:
    text = line.text
    new_text = text[:start] + corr + text[end:]
    return new_text, Correction(start, start + len(corr), text[start:end], corr, rule, cert, evidence, line.number)


def apply_edits(line: CleanLine, edits: list[tuple[int, int, str]], rule: str, cert: str, evidence: str) -> int:
    """Apply edits that overlap no correction already made (right to left, so offsets
    stay true); return how many were applied."""
    taken = [(c.start, c.end) for c in line.corrections]
    new_corrections = []
    for start, end, corr in sorted(edits, reverse=True):
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        line.text, c = correction_for(line, start, end, corr, rule, cert, evidence)
        shift = len(corr) - (end - start)
        line.corrections = [shift_correction(x, start, shift) for x in line.corrections]
        new_corrections = [shift_correction(x, start, shift) for x in new_corrections]
        new_corrections.append(c)
    line.corrections = sorted(line.corrections + new_corrections, key=lambda c: c.start)
    return len(new_corrections)


def shift_correction(c: Correction, at: int, shift: int) -> Correction:
    if c.start < at:
        return c
    return Correction(c.start + shift, c.end + shift, c.sic, c.corr, c.rule, c.cert, c.evidence, c.line)


# ---------------------------------------------------------------- evidence rules

def cip_title(lines: list[CleanLine]) -> tuple[str, str] | None:
    """The title as the CIP data (and the colophon's 书名) print it, with evidence."""
    for i, line in enumerate(lines):
        if P.CIP_HEAD.match(line.text):
            following = next((ln for ln in lines[i + 1:] if ln.text), None)
            if following and (m := re.match(r"^(.+?)/", following.text)):
                title = m.group(1)
                colophon = next((ln for ln in lines[i + 1:] if re.match(rf"^书名{re.escape(title)}$", ln.text)), None)
                where = f"CIP line {following.number}" + (f" and 书名 line {colophon.number}" if colophon else "")
                return title, where
    return None


def correct_title_pages(lines: list[CleanLine], evidence: Evidence) -> None:
    """A title-page line that is almost the CIP title is the CIP title misread."""
    found = cip_title(lines)
    if not found:
        return
    title, where = found
    for line in lines:
        if P.CIP_HEAD.match(line.text):
            break
        if line.text and line.text != title and SequenceMatcher(None, line.text, title).ratio() >= 0.75 \
                and abs(len(line.text) - len(title)) <= 3:
            apply_edits(line, diff_corrections(line.text, title), "rule-cip-title", "high",
                        f"title page differs from the title in the {where}: {title}")


def toc_entries(lines: list[CleanLine]) -> tuple[list[tuple[CleanLine, int, P.Heading]], int]:
    """(line, offset of the title in it, heading) for each 目录 entry; index after the 目录."""
    start = next((i for i, ln in enumerate(lines) if P.CONTENTS.match(ln.text)), None)
    if start is None:
        return [], 0
    entries = []
    i = start + 1
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.text:
            continue
        parsed = P.parse_toc_line(line.text)
        if not parsed:
            break
        pos = 0
        for raw, title, _page in parsed:
            pos = line.text.index(raw, pos)
            heading = P.classify_heading(title)
            if heading and heading.title:
                entries.append((line, pos + raw.index(heading.title, len(heading.label)), heading))
            pos += len(raw)
    else:
        i = len(lines)
    return entries, i


def correct_headings(lines: list[CleanLine], evidence: Evidence) -> None:
    """A heading and its 目录 entry must agree; the likelier reading wins."""
    entries, body_start = toc_entries(lines)
    for line in lines[body_start:]:
        core = re.sub(rf"(\^?[{P.CIRCLED}])+$", "", line.text)
        heading = P.classify_heading(core)
        if not heading or not heading.title or len(core) > 40:
            continue
        candidates = [(SequenceMatcher(None, heading.title, h.title).ratio(), toc_line, off, h)
                      for toc_line, off, h in entries if h.kind == heading.kind and h.label == heading.label]
        if not candidates:
            continue
        ratio, toc_line, toc_off, toc_heading = max(candidates, key=lambda c: c[0])
        if ratio < 0.5 or ratio == 1.0:
            continue
        off = core.rindex(heading.title)
        body_score = reading_score(heading.title, toc_heading.title, evidence)
        toc_score = reading_score(toc_heading.title, heading.title, evidence)
        if toc_score > body_score:
            edits = [(off + a, off + b, r) for a, b, r in diff_corrections(heading.title, toc_heading.title)]
            apply_edits(line, edits, "rule-toc", "high",
                        f"heading differs from 目录 line {toc_line.number} ({toc_heading.title}); "
                        f"book/dictionary evidence {toc_score:g} against {body_score:g}")
        elif body_score > toc_score:
            edits = [(toc_off + a, toc_off + b, r) for a, b, r in diff_corrections(toc_heading.title, heading.title)]
            apply_edits(toc_line, edits, "rule-toc", "medium",
                        f"目录 entry differs from heading line {line.number} ({heading.title}); "
                        f"book/dictionary evidence {body_score:g} against {toc_score:g}")


def reading_score(reading: str, other: str, evidence: Evidence) -> float:
    """Evidence for the bigrams of `reading` that differ from `other`."""
    total = 0.0
    for op, i1, i2, _j1, _j2 in SequenceMatcher(None, reading, other, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for k in range(max(0, i1 - 1), min(len(reading) - 1, max(i2, i1 + 1))):
            total += evidence.score(reading[k:k + 2])
    return total


def apply_editor_corrections(lines: list[CleanLine], rows: list[EditorCorrection], source_file: str,
                             corrections_file: str) -> list[Problem]:
    used: set[int] = set()
    problems: list[Problem] = []
    for line in lines:
        for row in rows:
            pos = line.text.find(row.context)
            while pos != -1:
                start = pos + row.context.index(row.sic)
                # The editor's reason (note) is shown to readers with the correction.
                if apply_edits(line, [(start, start + len(row.sic), row.corr)], "editor", row.cert, row.note):
                    used.add(row.row)
                    pos = line.text.find(row.context, start + len(row.corr))
                else:
                    used.add(row.row)
                    problems.append(Problem("C005", f"correction {row.sic!r} → {row.corr!r} overlaps a correction "
                                            f"already made at {source_file}:{line.number}; skipped there",
                                            corrections_file, row.row))
                    pos = line.text.find(row.context, pos + 1)
    for row in rows:
        if row.row not in used and (earlier := corrected_before(lines, row.context)) is not None:
            line, rule = earlier
            problems.append(Problem("C005", f"correction {row.sic!r} → {row.corr!r} overlaps a correction already "
                                    f"made by {rule} at {source_file}:{line}; the text there no longer reads "
                                    f"{row.context!r}", corrections_file, row.row))
            used.add(row.row)
        if row.row not in used:
            hint = sum(ln.text.count(row.sic) for ln in lines)
            more = f" (the sic alone occurs {hint} time{'s' if hint != 1 else ''}: check the context)" if hint else ""
            problems.append(Problem("C001", f"correction {row.sic!r} → {row.corr!r} matches nothing in "
                                    f"{source_file}{more}", corrections_file, row.row))
    return problems


def corrected_before(lines: list[CleanLine], context: str) -> tuple[int, str] | None:
    """The line and rule of an earlier correction that changed `context`, which the source read."""
    for line in lines:
        if not line.corrections or context in line.text or context not in uncorrected(line):
            continue
        for c in line.corrections:  # the one correction that changed it, when one alone did
            if context in line.text[:c.start] + c.sic + line.text[c.end:]:
                return line.number, c.rule
        return line.number, line.corrections[0].rule
    return None


def uncorrected(line: CleanLine) -> str:
    text = line.text
    for c in sorted(line.corrections, key=lambda c: c.start, reverse=True):
        text = text[:c.start] + c.sic + text[c.end:]
    return text


# ---------------------------------------------------------------- entry

def clean(source: Source, corrections: Path | None = None) -> CleanText:
    """Normalise every line, then apply the correction rules in order."""
    counts: Counter = Counter()
    problems: list[Problem] = []
    lines = [CleanLine(sl.number, normalise(drop_xml_illegal(sl, source.name, problems).strip(), counts),
                       page=sl.page, page_start=sl.page_start, role=sl.role) for sl in source.lines]
    evidence = Evidence("\n".join(ln.text for ln in lines))
    correct_title_pages(lines, evidence)
    correct_headings(lines, evidence)
    rows, row_problems = load_editor_corrections(corrections)
    problems += row_problems
    problems += apply_editor_corrections(lines, rows, source.name, corrections.name if corrections else "")
    return CleanText(source=source, lines=lines, normalisations=dict(sorted(counts.items())), problems=problems)
