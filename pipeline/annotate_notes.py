"""Editorial notes from `input/annotations.toml`, anchored on quoted passages.

Each `[[note]]` has `anchor` (a passage of the book, as printed), `text` (the
note) and optionally `occurrence` (1 = first occurrence in reading order).
The note goes right after the passage.  Passages are compared with full-width
and half-width forms folded and spaces ignored, so an editor may copy them from
the OCR text or from the edition alike.  An anchor that is not found is a
problem `A001` at the entry's line; an unreadable entry is `A003`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .annotate_spans import RunSite, insert_note
from .editor_files import EditorFileError, read_toml
from .model import Note, Problem, Run, Text

ENTRY_HEAD = re.compile(r"^\s*\[\[note\]\]\s*(#.*)?$")


@dataclass(frozen=True)
class EditorialNote:
    anchor: str
    text: str
    occurrence: int
    line: int  # of its [[note]] header in the annotations file


def load_annotations(path: Path | None) -> tuple[list[EditorialNote], list[Problem]]:
    if path is None or not path.exists():
        return [], []
    raw, data = read_toml(path)
    heads = [i for i, text in enumerate(raw.splitlines(), start=1) if ENTRY_HEAD.match(text)]
    notes, problems = [], []
    for k, entry in enumerate(data.get("note", [])):
        line = heads[k] if k < len(heads) else None
        anchor, text = str(entry.get("anchor", "")), str(entry.get("text", "")).strip()
        occurrence = entry.get("occurrence", 1)
        unknown = sorted(set(entry) - {"anchor", "text", "occurrence"})
        if unknown or not anchor.strip() or not text or not isinstance(occurrence, int) or occurrence < 1:
            why = f"unknown key(s) {', '.join(unknown)}; " if unknown else ""
            raise EditorFileError(f"{path}:{line}: {why}a [[note]] needs anchor, text and an optional "
                                  "occurrence ≥ 1")
        notes.append(EditorialNote(anchor, text, occurrence, line or 0))
    return notes, problems


def fold(text: str) -> tuple[str, list[int]]:
    """`text` with width folded and whitespace dropped, and for each folded
    character the index of the character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for folded in unicodedata.normalize("NFKC", ch):
            out.append(folded)
            origin.append(i)
    return "".join(out), origin


def find_anchor(sites: list[RunSite], anchor: str, occurrence: int) -> tuple[RunSite, int] | None:
    """The run and reading-text offset right after the `occurrence`-th passage."""
    wanted, _ = fold(anchor)
    seen = 0
    for site in sites:
        folded, origin = fold(site.run.reading_text())
        start = folded.find(wanted)
        while start >= 0:
            seen += 1
            if seen == occurrence:
                return site, origin[start + len(wanted) - 1] + 1
            start = folded.find(wanted, start + 1)
    return None


def apply_notes(sites: list[RunSite], notes: list[EditorialNote], file: str) -> list[Problem]:
    """Insert each note after its anchor; problems for the anchors not found."""
    problems: list[Problem] = []
    existing = {n.xml_id for s in sites for n in s.run.notes() if n.type == "editorial"}
    for k, note in enumerate(notes, start=1):
        xml_id = f"ed-{k}"
        if xml_id in existing:
            continue  # annotate ran on this document already
        found = find_anchor(sites, note.anchor, note.occurrence)
        if found is None:
            problems.append(Problem(
                "A001", f"editorial note anchor not found (occurrence {note.occurrence}): 「{note.anchor}」",
                file, note.line or None,
            ))
            continue
        site, offset = found
        body = Run([Text(note.text)])
        insert_note(site.run, offset, Note(n="", xml_id=xml_id, body=body, line=site.line,
                                           type="editorial", resp="#editor"))
    return problems
