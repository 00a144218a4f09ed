"""Precision and recall against the hand-annotated gold standards, with the
register and with discovery alone; the same on the real Document; timing.

Two gold files: annotations.xml, which discovery's rules were tuned on (its
figures flatter), and heldout.xml, other paragraphs of the book annotated
independently and never used for tuning: its figures are the honest ones."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from annotate_helpers import (
    ANNOTATIONS,
    GOLD,
    REGISTER,
    TAGS,
    document,
    gold,
    scores,
)

from pipeline.annotate import annotate, write_candidates
from pipeline.annotate_spans import iter_runs

HELDOUT = GOLD.with_name("heldout.xml")
MIN_SPANS = 3  # a tag with fewer gold spans in a file is reported but not asserted on

# Per gold file and mode: the (precision, recall) each tag must reach.
THRESHOLDS = {
    (GOLD, "register"): dict.fromkeys(TAGS, (0.95, 0.95)),
    # reached: 1.00 / 1.00 for every tag (dates do not need the register)
    (GOLD, "discovery"): dict.fromkeys(TAGS, (0.98, 0.98)),
    # held out: measured on 2026-11-24 minus 0.05 (never above 0.98).  Measured
    # with the register: 1.00 / 1.00 for every tag but title 0.95 / 0.95
    # (《条约》 for the Moscow Treaty, twice: found, but without its @ref).
    (HELDOUT, "register"): {**dict.fromkeys(TAGS, (0.95, 0.95)), "title": (0.90, 0.90)},
    # Measured with discovery alone: persName 0.86 / 0.55 (奥巴马 typed as a
    # place), placeName 0.78 / 0.86, orgName 0.93 / 0.58, title 1.00 / 0.88
    # (abbreviations such as NPT need the register), date 1.00 / 1.00.
    (HELDOUT, "discovery"): {
        "persName": (0.80, 0.49),
        "placeName": (0.72, 0.80),
        "orgName": (0.88, 0.53),
        "title": (0.95, 0.82),
        "date": (0.95, 0.95),
    },
}
GOLD_FILES = pytest.mark.parametrize("path", [GOLD, HELDOUT], ids=["tuned-on", "held-out"])


def run_gold(register: Path | None, path: Path = GOLD) -> dict[str, tuple[float, float, int]]:
    expected = gold(path)
    doc = annotate(document(*[text for _, text, _ in expected]), register, None)
    found = [block.run.spans for block in doc.front_divs[0].blocks]
    return scores(found, [spans for *_, spans in expected], with_attrs=register is not None)


def table(title: str, figures: dict[str, tuple[float, float, int]]) -> str:
    rows = [f"{title}", f"{'tag':<10} {'P':>5} {'R':>5} {'n':>4}"]
    rows += [f"{tag:<10} {p:5.2f} {r:5.2f} {n:4d}" for tag, (p, r, n) in figures.items()]
    return "\n".join(rows)


def check(figures: dict[str, tuple[float, float, int]], minimum: dict[str, tuple[float, float]]) -> None:
    for tag in TAGS:
        precision, recall, n = figures[tag]
        if n < MIN_SPANS:  # too few gold spans for a figure to mean anything: reported only
            continue
        assert precision >= minimum[tag][0] and recall >= minimum[tag][1], (tag, figures[tag], minimum[tag])


@GOLD_FILES
def test_gold_with_register(path: Path) -> None:
    figures = run_gold(REGISTER, path)
    print("\n" + table(f"{path.name}, with register (spans and @ref/@when exact)", figures))
    check(figures, THRESHOLDS[path, "register"])


@GOLD_FILES
def test_gold_discovery_alone(path: Path) -> None:
    figures = run_gold(None, path)
    print("\n" + table(f"{path.name}, discovery alone, empty register (spans exact)", figures))
    check(figures, THRESHOLDS[path, "discovery"])


@pytest.fixture(scope="module")
def book():
    pytest.importorskip("pipeline.structure")
    from pipeline.clean import clean
    from pipeline.ingest import ingest
    from pipeline.structure import structure

    root = Path(__file__).resolve().parent.parent
    return lambda: structure(clean(ingest(root / "input" / "book.txt")))


def spans_by_line(doc) -> dict[int, tuple[str, list]]:
    return {site.line: (site.run.reading_text(), site.run.spans) for site in iter_runs(doc)}


def test_real_document_matches_gold(book) -> None:
    by_line = spans_by_line(annotate(book(), REGISTER, ANNOTATIONS))
    for line, text, expected in gold():
        assert line in by_line, f"gold paragraph at line {line} not found in the document"
        real_text, spans = by_line[line]
        assert real_text == text, f"line {line}: the gold text is not the document's reading text"
        assert sorted(spans, key=lambda s: (s.start, s.end, s.tag)) == sorted(
            (type(s)(s.start, s.end, s.tag, tuple(sorted(s.attrs))) for s in expected),
            key=lambda s: (s.start, s.end, s.tag)) or _same(spans, expected), line


def test_heldout_text_is_the_documents(book) -> None:
    by_line = spans_by_line(book())
    for line, text, _ in gold(HELDOUT):
        assert line in by_line, f"held-out paragraph at line {line} not found in the document"
        assert by_line[line][0] == text, f"line {line}: the held-out text is not the document's reading text"


def _same(found, expected) -> bool:
    norm = lambda spans: sorted((s.start, s.end, s.tag, tuple(sorted(s.attrs))) for s in spans)
    return norm(found) == norm(expected)


def test_text_unchanged_imprint_untagged_and_idempotent(book) -> None:
    doc = book()
    before = [site.run.reading_text() for site in iter_runs(doc)]
    annotate(doc, REGISTER, None)  # without editorial notes: they add runs
    assert [site.run.reading_text() for site in iter_runs(doc)] == before
    assert doc.imprint is not None
    assert all(not item.spans for *_, item in doc.imprint.lines if hasattr(item, "spans"))
    annotate(doc, REGISTER, ANNOTATIONS)
    once = [(site.run.reading_text(), list(site.run.spans)) for site in iter_runs(doc)]
    annotate(doc, REGISTER, ANNOTATIONS)
    assert [(site.run.reading_text(), list(site.run.spans)) for site in iter_runs(doc)] == once
    assert sum(1 for site in iter_runs(doc) for n in site.run.notes() if n.type == "editorial") == 2


def test_entities_and_candidates(book, tmp_path: Path) -> None:
    doc = annotate(book(), REGISTER, ANNOTATIONS)
    ids = [e.xml_id for e in doc.entities]
    assert {"obama", "bush-w", "bush-hw", "npt", "iaea", "prague"} <= set(ids)
    assert not [p for p in doc.problems if p.code.startswith("A")], doc.problems
    bare = annotate(book(), None, None)
    assert bare.entities == []
    surfaces = {c.surface: c for c in bare.candidates}
    assert surfaces["奥巴马"].type == "person" and surfaces["布拉格"].type == "place"
    out = tmp_path / "reports" / "entity-candidates.tsv"
    write_candidates(bare, out)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t") == ["surface", "type", "count", "contexts", "first_line"]
    assert len(rows) == len(bare.candidates) + 1 and all(len(r.split("\t")) == 5 for r in rows)


