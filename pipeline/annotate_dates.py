"""Dates in Chinese (and English) running text, with ISO 8601 values.

What is recognised, and the value it gets (attribute names are TEI's):

| printed              | attributes                                  |
| -------------------- | ------------------------------------------- |
| 2009年4月5日          | when="2009-04-05"                           |
| 2010年5月, 2009年4月初 | when="2010-05" (初/底/末/上旬… stay in the span) |
| 2009年, 2009年初      | when="2009"                                 |
| 2009年9月24日到25日    | from="2009-09-24" to="2009-09-25"           |
| 1996年到2000年        | from="1996" to="2000"                       |
| 20世纪90年代          | notBefore="1990" notAfter="1999"            |
| 90年代               | notBefore="1990" notAfter="1999" (20–90 → 19xx, 00/10 → 20xx) |
| 20世纪               | notBefore="1901" notAfter="2000"            |
| 5月25日, 7月初        | the year of the last full date *in the same sentence* when there is one, else when="--05-25" / "--07" (XSD gMonthDay / gMonth: month and day certain, year unknown) |
| May 20, 2005         | when="2005-05-20"                           |

A day without a month (28日) is not tagged: its month is never certain from
the text alone.  Durations (10多年, 四年内) are not dates and do not match,
because a year needs four digits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

Attrs = tuple[tuple[str, str], ...]

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
SP = r"[ \u3000]*"  # the clean stage removes these; tolerate them anyway
YEAR = rf"(?<![0-9])(?P<{{p}}y>1[0-9]{{{{3}}}}|20[0-9]{{{{2}}}}){SP}年"
MONTH = rf"(?<![0-9])(?P<{{p}}m>1[0-2]|0?[1-9]){SP}月"
DAY = rf"(?<![0-9])(?P<{{p}}d>3[01]|[12][0-9]|0?[1-9]){SP}[日号]"
QUALIFIER = r"(?:初|底|末|上旬|中旬|下旬)?"
RANGE_WORD = r"(?:到|至|—|－|-|~|～|－)"


def part(template: str, prefix: str) -> str:
    return template.format(p=prefix)


def ymd(prefix: str) -> str:
    """Y年? M月? D日? -- each optional; empty and gapped matches are skipped later."""
    y, m, d = part(YEAR, prefix), part(MONTH, prefix), part(DAY, prefix)
    return rf"(?=[0-9])(?:{y}{SP})?(?:{m}{SP})?(?:{d})?"


CN_DATE = re.compile(rf"{ymd('a')}{QUALIFIER}(?:{SP}{RANGE_WORD}{SP}{ymd('b')}{QUALIFIER})?")
CN_SINGLE = re.compile(rf"{ymd('a')}{QUALIFIER}")
CENTURY = re.compile(rf"(?<![0-9])(?P<c>[12][0-9]){SP}世纪(?:{SP}(?P<dc>[0-9]0){SP}年代)?")
DECADE = re.compile(rf"(?<![0-9世纪])(?P<dc>[0-9]0){SP}年代")
MONTHS = ("January February March April May June July August September October November December").split()
MONTH_NAME = "|".join(MONTHS) + "|" + "|".join(m[:3] + r"\.?" for m in MONTHS)
EN_DATE = re.compile(
    rf"\b(?:(?P<mon>{MONTH_NAME})\s+(?P<d>[0-9]{{1,2}})[,，]\s*(?P<y>[0-9]{{4}})"
    rf"|(?P<d2>[0-9]{{1,2}})\s+(?P<mon2>{MONTH_NAME})\s+(?P<y2>[0-9]{{4}}))\b"
)
SENTENCE_END = re.compile(r"[。！？!?]")


@dataclass(frozen=True)
class DateFound:
    start: int
    end: int
    attrs: Attrs

    @property
    def year(self) -> int | None:
        """The (first) year this date names, for context: None when unknown."""
        for _, value in self.attrs:
            if value[:4].isdigit():
                return int(value[:4])
        return None


@dataclass(frozen=True)
class Ymd:
    y: int | None
    m: int | None
    d: int | None

    def iso(self) -> str:
        if self.y is None:
            return f"--{self.m:02d}" + (f"-{self.d:02d}" if self.d else "")
        out = f"{self.y:04d}"
        if self.m:
            out += f"-{self.m:02d}"
            if self.d:
                out += f"-{self.d:02d}"
        return out


def find_dates(text: str) -> list[DateFound]:
    """All dates in `text`, in text order, not overlapping each other."""
    text = text.translate(FULLWIDTH_DIGITS)
    found: list[DateFound] = []
    taken: list[tuple[int, int]] = []
    for finder in (english_dates, century_dates, chinese_dates):
        for date in finder(text):
            if not any(date.start < e and s < date.end for s, e in taken):
                found.append(date)
                taken.append((date.start, date.end))
    return sorted(found, key=lambda d: d.start)


def chinese_dates(text: str) -> list[DateFound]:
    out: list[DateFound] = []
    context: Ymd | None = None  # the last full date of the current sentence
    context_end = 0
    sentence_ends = [m.start() for m in SENTENCE_END.finditer(text)]
    for m in CN_DATE.finditer(text):
        if context is not None and any(context_end <= e < m.start() for e in sentence_ends):
            context = None
        first = read(m, "a")
        if not m.group(0) or first.m is None and (first.y is None or first.d is not None):
            continue  # nothing, or a bare day (28日) whose month is unknown, or 2009年5日
        second = read(m, "b") if m.group("bm") or m.group("by") or m.group("bd") else None
        if first.y is None and context is not None:
            first = Ymd(context.y, first.m, first.d)
        if second is not None:
            second = inherit(second, first)
            if second is None:  # 2009年到5月: keep the first end alone
                single = CN_SINGLE.match(text, m.start())
                assert single is not None  # CN_DATE starts with the same pattern
                out.append(DateFound(m.start(), single.end(), (("when", first.iso()),)))
                continue
            attrs: Attrs = (("from", first.iso()), ("to", second.iso()))
        else:
            attrs = (("when", first.iso()),)
        if first.y is not None:
            context, context_end = first, m.end()
        out.append(DateFound(m.start(), m.start() + len(m.group(0).rstrip(" \u3000")), attrs))
    return out


def read(m: re.Match[str], prefix: str) -> Ymd:
    def num(name: str) -> int | None:
        value = m.group(prefix + name)
        return int(value) if value else None

    return Ymd(num("y"), num("m"), num("d"))


def inherit(second: Ymd, first: Ymd) -> Ymd | None:
    """The end of a range takes the year and month it leaves out from its start;
    None when the two ends have a different precision (2009年到5月)."""
    if second.y is not None:
        result = second
    elif second.m is not None:
        result = Ymd(first.y, second.m, second.d)
    else:
        result = Ymd(first.y, first.m, second.d)
    if (result.m is None) != (first.m is None) or (result.d is None) != (first.d is None):
        return None
    return result


def century_dates(text: str) -> list[DateFound]:
    out: list[DateFound] = []
    for m in CENTURY.finditer(text):
        century = int(m.group("c"))
        if m.group("dc"):
            start = (century - 1) * 100 + int(m.group("dc"))
            attrs: Attrs = (("notBefore", f"{start:04d}"), ("notAfter", f"{start + 9:04d}"))
        else:
            attrs = (("notBefore", f"{(century - 1) * 100 + 1:04d}"), ("notAfter", f"{century * 100:04d}"))
        out.append(DateFound(m.start(), m.end(), attrs))
    for m in DECADE.finditer(text):
        decade = int(m.group("dc"))
        start = (2000 if decade < 20 else 1900) + decade
        out.append(DateFound(m.start(), m.end(), (("notBefore", str(start)), ("notAfter", str(start + 9)))))
    return out


def english_dates(text: str) -> list[DateFound]:
    out: list[DateFound] = []
    for m in EN_DATE.finditer(text):
        name = (m.group("mon") or m.group("mon2")).rstrip(".")
        month = next(i for i, full in enumerate(MONTHS, 1) if full.startswith(name))
        day = int(m.group("d") or m.group("d2"))
        year = int(m.group("y") or m.group("y2"))
        if 1 <= day <= 31:
            out.append(DateFound(m.start(), m.end(), (("when", Ymd(year, month, day).iso()),)))
    return out
