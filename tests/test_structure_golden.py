"""Golden-directory tests: tests/golden/<case>/book.txt is built and the TEI
<text> (plus the warnings) compared with tests/golden/<case>/expected.xml.
Run with UPDATE_GOLDEN=1 to rewrite the expected files, then review the diff."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from pipeline.build import BuildConfig, Timer, build_document
from pipeline.tei import EditionMeta, build_tei
from pipeline.tei_inline import T
from pipeline.validate import validate_document

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "book.txt").exists())


def render_case(case: str) -> str:
    cfg = BuildConfig(GOLDEN / case / "book.txt")
    doc = build_document(cfg, Timer())
    tree = build_tei(doc, EditionMeta())
    assert validate_document(tree, "book.xml") == [], "golden output must be valid"
    text = tree.getroot().find(T + "text")
    problems = "".join(f"<!-- {p.code} line {p.line}: {p.message} -->\n" for p in doc.problems)
    return problems + etree.tostring(text, encoding="unicode") + "\n"


@pytest.mark.parametrize("case", CASES)
def test_structure_golden(case: str) -> None:
    expected = GOLDEN / case / "expected.xml"
    actual = render_case(case)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_text(actual, encoding="utf-8")
    assert expected.exists(), f"no expected.xml for {case}; run with UPDATE_GOLDEN=1 and review it"
    assert actual == expected.read_text(encoding="utf-8")
