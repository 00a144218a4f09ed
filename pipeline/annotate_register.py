"""The register of names: loading it and resolving a surface form to an entry.

The register (`input/register.toml`) is data the editor keeps; this module only
knows its shape (documented in the file's comment header).  A surface form
shared by several entries (布什) is resolved from context by each entry's
`not_before`/`not_after` years and `context` words, never by code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .editor_files import key_line, located, read_toml, table_line
from .model import Entity, Problem

# Register types and the TEI element a mention of each becomes.
TAG_OF_TYPE = {"person": "persName", "place": "placeName", "org": "orgName", "work": "title"}
# Characters that make a surface "word-like" at its edge, needing a word boundary
# there (so the alias `START II` does not match inside `START III`).
ASCII_WORD = re.compile(r"[A-Za-z0-9]")


class RegisterError(Exception):
    """The register file cannot be used; the message names the file and entry."""

    exit_code = 3  # bad input, like any other editor's file


@dataclass(frozen=True)
class RegisterEntry:
    xml_id: str
    type: str  # person | place | org | work
    name: str
    aliases: tuple[str, ...] = ()
    english: str = ""
    wikidata: str = ""
    note: str = ""
    # Disambiguation data for surfaces shared with other entries.
    not_before: int | None = None  # the context year is at least this
    not_after: int | None = None  # the context year is at most this
    context: tuple[str, ...] = ()  # words whose presence in the paragraph selects this entry
    # A match is discarded when the text right after / before it starts / ends
    # with one of these (国防部 in 国防部长 is a post, not the ministry).
    not_followed_by: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        return TAG_OF_TYPE[self.type]

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def fits_year(self, year: int | None) -> bool:
        if year is None:
            return self.not_before is None and self.not_after is None
        return (self.not_before is None or year >= self.not_before) and (
            self.not_after is None or year <= self.not_after
        )

    def to_entity(self) -> Entity:
        return Entity(
            xml_id=self.xml_id, type=self.type, name=self.name, aliases=self.aliases,
            english=self.english, wikidata=self.wikidata, note=self.note, from_register=True,
        )


@dataclass
class Register:
    entries: list[RegisterEntry] = field(default_factory=list)
    by_surface: dict[str, list[RegisterEntry]] = field(default_factory=dict)
    pattern: re.Pattern[str] | None = None

    @property
    def by_id(self) -> dict[str, RegisterEntry]:
        return {e.xml_id: e for e in self.entries}

    def surfaces(self) -> list[str]:
        return sorted(self.by_surface, key=lambda s: (-len(s), s))


@dataclass(frozen=True)
class Mention:
    """A register surface found in a text, before disambiguation."""

    start: int
    end: int
    surface: str
    entries: tuple[RegisterEntry, ...]


XML_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
FIELDS = {
    "type", "name", "aliases", "english", "wikidata", "note", "not_before", "not_after",
    "context", "not_followed_by", "not_preceded_by",
}


def load_register(path: Path | None) -> Register:
    """Read the register; a missing path or file gives an empty register."""
    if path is None or not path.exists():
        return build_register([])
    text, data = read_toml(path, RegisterError)
    return build_register([entry_from_table(path, key, table, text) for key, table in data.items()])


def entry_from_table(path: Path, key: str, table: object, text: str) -> RegisterEntry:
    def fail(why: str) -> RegisterError:
        return RegisterError(f"{located(path, table_line(text, key) or key_line(text, key))}: entry [{key}]: {why}")

    if not isinstance(table, dict):
        raise fail("expected a table of fields")
    if not XML_ID.match(key):
        raise fail("the id must be a valid xml:id (letters, digits, - . _; not starting with a digit)")
    unknown = set(table) - FIELDS
    if unknown:
        raise fail(f"unknown field(s) {', '.join(sorted(unknown))}")
    if "type" not in table:
        raise fail(f"type is missing; it must be one of {', '.join(TAG_OF_TYPE)}")
    if table["type"] not in TAG_OF_TYPE:
        raise fail(f"type must be one of {', '.join(TAG_OF_TYPE)}, not {table['type']!r}")
    if not str(table.get("name", "")).strip():
        raise fail("name is required")
    wikidata = str(table.get("wikidata", ""))
    if wikidata and not WIKIDATA.match(wikidata):
        raise fail(f"wikidata {wikidata!r} is not a Q-number")
    return RegisterEntry(
        xml_id=key, type=table["type"], name=table["name"],
        aliases=tuple(table.get("aliases", ())), english=table.get("english", ""),
        wikidata=wikidata, note=table.get("note", ""),
        not_before=table.get("not_before"), not_after=table.get("not_after"),
        context=tuple(table.get("context", ())),
        not_followed_by=tuple(table.get("not_followed_by", ())),
        not_preceded_by=tuple(table.get("not_preceded_by", ())),
    )


def build_register(entries: list[RegisterEntry]) -> Register:
    register = Register(entries=entries)
    for entry in entries:
        for surface in dict.fromkeys(entry.surfaces):
            register.by_surface.setdefault(surface, []).append(entry)
    if register.by_surface:
        # Longest first: at each position the regex engine takes the longest surface.
        register.pattern = re.compile("|".join(surface_regex(s) for s in register.surfaces()))
    return register


def surface_regex(surface: str) -> str:
    body = re.escape(surface)
    if ASCII_WORD.match(surface[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if ASCII_WORD.match(surface[-1]):
        body += r"(?![A-Za-z0-9])"
    return body


def find_mentions(register: Register, text: str) -> list[Mention]:
    """Every register surface in `text`, leftmost-longest, context guards applied."""
    if register.pattern is None:
        return []
    out: list[Mention] = []
    for m in register.pattern.finditer(text):
        entries = tuple(
            e for e in register.by_surface[m.group(0)] if guards_pass(e, text, m.start(), m.end())
        )
        if entries:
            out.append(Mention(m.start(), m.end(), m.group(0), entries))
    return out


def guards_pass(entry: RegisterEntry, text: str, start: int, end: int) -> bool:
    after, before = text[end:], text[:start]
    return not any(after.startswith(w) for w in entry.not_followed_by) and not any(
        before.endswith(w) for w in entry.not_preceded_by
    )


def resolve(mention: Mention, year: int | None, paragraph: str) -> RegisterEntry | None:
    """The one entry a mention refers to, or None when the context cannot tell."""
    entries = mention.entries
    if len(entries) == 1:
        return entries[0]
    by_year = [e for e in entries if year is not None and e.fits_year(year)
               and (e.not_before is not None or e.not_after is not None)]
    if len(by_year) == 1:
        return by_year[0]
    by_words = [e for e in (by_year or entries) if any(w in paragraph for w in e.context)]
    if len(by_words) == 1:
        return by_words[0]
    return None


def ambiguity_problem(mention: Mention, file: str, line: int | None) -> Problem:
    ids = ", ".join(e.xml_id for e in mention.entries)
    return Problem(
        "A002", f"「{mention.surface}」 may be {ids}: no year or context word decides; tagged without @ref",
        file, line,
    )
