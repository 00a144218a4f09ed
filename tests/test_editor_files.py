"""The editor's files in input/ as a new user gets them wrong: every mistake stops the
build with exit code 3 and `path:line: why`, never a traceback or a late TEI error, and
the previous outputs stay as they were."""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BOOK, ROOT, run_edition

from pipeline.tei import AVAILABILITY

EDITION = """\
# metadata
[edition]
subtitle = "数字版"
publisher = "Digital Edition Pipeline"
availability = "restricted"
editor = "本版编者"
date = "2026-11-24"
"""


def book_folder(tmp_path: Path) -> Path:
    """A copy of input/ (book and editor's files); returns the book."""
    shutil.copytree(BOOK.parent, tmp_path / "input")
    return tmp_path / "input" / "book.txt"


def build(source: Path, out: Path) -> tuple[int, str]:
    proc = run_edition("build", str(source), "--out", str(out), "--format", "tei")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stderr


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if line == text)


@pytest.mark.parametrize("content,message", [
    (EDITION.replace("[edition]", "[editon]"), "edition.toml:2: unknown table [editon]"),
    ("", "edition.toml: no [edition] table (the file is empty)"),
    (EDITION.replace('editor = "本版编者"\n', ""), 'edition.toml:2: [edition] needs editor = "…"'),
    (EDITION.replace('"2026-11-24"', '"yesterday"'), "edition.toml:7: date must be a day as YYYY-MM-DD"),
    (EDITION.replace('"restricted"', '"open-ish"'),
     "edition.toml:5: availability must be one of free, restricted, unknown, not 'open-ish'"),
    (EDITION.replace('"数字版"', "5"), "edition.toml:3: subtitle must be a string in quotes, not 5"),
    (EDITION.replace('"数字版"', ""), "edition.toml:3:12: not valid TOML: Invalid value"),
])
def test_a_wrong_edition_toml_is_named_at_its_line(tmp_path: Path, content: str, message: str) -> None:
    source = book_folder(tmp_path)
    (source.parent / "edition.toml").write_text(content, encoding="utf-8")
    code, stderr = build(source, tmp_path / "out")
    assert code == 3 and f"error: {source.parent / message}" in stderr, stderr


def test_the_allowed_availabilities_are_the_schemas() -> None:
    rnc = (ROOT / "schemas" / "edition.rnc").read_text(encoding="utf-8")
    allowed = re.search(r'attribute status \{ ([^}]*) \}', rnc)
    assert allowed and sorted(re.findall(r'"(\w+)"', allowed.group(1))) == sorted(AVAILABILITY)


@pytest.mark.parametrize("name", ["edition.toml", "register.toml"])
@pytest.mark.parametrize("encoding,message", [
    ("gbk", ":2: not UTF-8 (byte "),
    ("utf-16", ":1: not UTF-8 (it looks like UTF-16)"),
])
def test_a_toml_file_not_in_utf8_is_named(tmp_path: Path, name: str, encoding: str, message: str) -> None:
    source = book_folder(tmp_path)
    path = source.parent / name
    path.write_bytes(f"# the editor\n# 编者\n{path.read_text(encoding='utf-8')}".encode(encoding))
    code, stderr = build(source, tmp_path / "out")
    assert code == 3 and f"error: {path}{message}" in stderr and "save the file as UTF-8" in stderr, stderr


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace('[biden]\ntype = "person"\n', "[biden]\n"),
     "entry [biden]: type is missing; it must be one of person, place, org, work"),
    (lambda t: t.replace('[biden]\ntype = "person"\n', '[biden]\ntype = "persn"\n'),
     "entry [biden]: type must be one of person, place, org, work, not 'persn'"),
])
def test_a_wrong_register_entry_is_named_at_its_header(tmp_path: Path, edit: Callable[[str], str],
                                                      message: str) -> None:
    source = book_folder(tmp_path)
    register = source.parent / "register.toml"
    register.write_text(edit(register.read_text(encoding="utf-8")), encoding="utf-8")
    code, stderr = build(source, tmp_path / "out")
    assert code == 3 and f"error: {register}:{line_of(register, '[biden]')}: {message}" in stderr, stderr


def test_toml_syntax_errors_read_alike_in_every_toml_file(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    register = source.parent / "register.toml"
    register.write_text(register.read_text(encoding="utf-8").replace('name = "拜登"', "name = 拜登"), encoding="utf-8")
    code, stderr = build(source, tmp_path / "out")
    assert code == 3 and f"error: {register}:{line_of(register, 'name = 拜登')}:8: not valid TOML: Invalid value" \
        in stderr, stderr


@pytest.mark.parametrize("row,message", [
    ("角历\t角力\t角历\thigh\t形近误识\t角力", "this row has 6 columns, the header 5"),
    ("角历 角力\t角历之争\thigh\t形近误识：角力",
     ("cert must be one of high, medium, low, not '形近误识：角力'; the row has 4 columns, the header 5: "
      "are the columns shifted")),
])
def test_a_misshapen_corrections_row_is_named(tmp_path: Path, row: str, message: str) -> None:
    source = book_folder(tmp_path)
    tsv = source.parent / "corrections.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    code, stderr = build(source, tmp_path / "out")
    assert code == 3 and f"error: {tsv}:{line_of(tsv, row)}: {message}" in stderr, stderr


def test_a_wrong_editor_file_leaves_the_previous_outputs(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    out = tmp_path / "out"
    run_edition("build", str(source), "--out", str(out), "--format", "tei", check=True)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edition = source.parent / "edition.toml"
    edition.write_text(edition.read_text(encoding="utf-8").replace("[edition]", "[editon]"), encoding="utf-8")
    code, stderr = build(source, out)
    assert code == 3 and "unknown table [editon]" in stderr, stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
