"""Reading the editor's files in `input/` (edition.toml, register.toml,
annotations.toml, corrections.tsv) with one voice for what is wrong in them.

Every message is `path:line: why` (or `path:line:col:` for TOML syntax) so an
editor can jump to the place; tomllib gives no positions for values, so the
line of a key or table header is found by scanning the text.
"""
from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path
from typing import Any

# tomllib appends the position to its message; we move it to the front.
TOML_POSITION = re.compile(r"^(?P<why>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
TABLE_HEADER = re.compile(r"""^\s*\[\[?\s*["']?(?P<name>[^\[\]"']+?)["']?\s*\]\]?\s*(#.*)?$""")


class EditorFileError(Exception):
    """An editor's file the build cannot use: building without it would publish an
    edition silently missing the editor's work."""

    exit_code = 3


def read_editor_text(path: Path, error: type[Exception] = EditorFileError) -> str:
    """The file as text; anything but UTF-8 (with or without BOM) is an error naming the line."""
    data = path.read_bytes()
    # UTF-16 of mostly ASCII text decodes as "valid" UTF-8 full of NULs, so it is caught first.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        line = data[: max(data.find(b"\x00"), 0)].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 (it looks like UTF-16); save the file as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    return text.removeprefix("\ufeff")  # Windows editors add a BOM; tomllib and the TSV header reject it


def read_toml(path: Path, error: type[Exception] = EditorFileError) -> tuple[str, dict[str, Any]]:
    """The file's text (for line look-ups) and its parsed data."""
    text = read_editor_text(path, error)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if m := TOML_POSITION.match(str(exc)):
            raise error(f"{path}:{m['line']}:{m['col']}: not valid TOML: {m['why']}") from None
        raise error(f"{path}: not valid TOML: {exc}") from None


def table_line(text: str, name: str) -> int | None:
    """The line of the `[name]` header."""
    for number, line in enumerate(text.splitlines(), start=1):
        if (m := TABLE_HEADER.match(line)) and m["name"].strip() == name:
            return number
    return None


def key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The line of `key = …` inside `[table]` (None: before any table header)."""
    assignment = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if m := TABLE_HEADER.match(line):
            current = m["name"].strip()
        elif current == table and assignment.match(line):
            return number
    return None


def located(path: Path, line: int | None) -> str:
    """`path:line` when the line is known, else `path`."""
    return f"{path}:{line}" if line else str(path)
