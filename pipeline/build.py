"""The pipeline: stages in order, each timed, problems collected, outputs
written atomically.

    ingest → clean → structure → annotate → tei → validate → write
    then the renderers read the TEI file: epub, html
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .model import Document, Problem


@dataclass(frozen=True)
class BuildConfig:
    """Where the book and the editor's data are, and what to produce."""

    source: Path
    out_dir: Path = Path("output")
    corrections: Path | None = None
    register: Path | None = None
    annotations: Path | None = None
    edition: Path | None = None
    formats: tuple[str, ...] = ("tei", "epub", "html")

    @classmethod
    def beside(cls, source: Path, out_dir: Path = Path("output"),
               formats: tuple[str, ...] = ("tei", "epub", "html")) -> "BuildConfig":
        """The editor's data files sit next to the book in its folder (input/)."""
        folder = source.parent

        def opt(name: str) -> Path | None:
            path = folder / name
            return path if path.exists() else None
        return cls(source, out_dir, opt("corrections.tsv"), opt("register.toml"), opt("annotations.toml"),
                   opt("edition.toml"), formats)


@dataclass
class BuildResult:
    tei_path: Path
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[name] = round(time.perf_counter() - start, 4)


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_document(cfg: BuildConfig, timer: Timer) -> Document:
    """The stages up to the annotated Document."""
    from .annotate import annotate
    from .clean import clean
    from .ingest import ingest
    from .structure import structure

    source = timer.run("ingest", ingest, cfg.source)
    text = timer.run("clean", clean, source, cfg.corrections)
    doc = timer.run("structure", structure, text)
    doc = timer.run("annotate", annotate, doc, cfg.register, cfg.annotations)
    doc.problems[:0] = source.dropped
    return doc


def build(cfg: BuildConfig) -> BuildResult:
    """Build the TEI (and the renderings asked for); raise on bad input or invalid TEI."""
    from .tei import load_edition_meta, tei
    from .validate import ValidationError, validate_bytes

    timer = Timer()
    meta = load_edition_meta(cfg.edition)
    doc = build_document(cfg, timer)
    data = timer.run("tei", tei, doc, meta)
    tei_path = cfg.out_dir / f"{cfg.source.stem}.xml"
    errors = timer.run("validate", validate_bytes, data, tei_path.name)
    if errors:
        # Kept for diagnosis beside the reports, never over the last good TEI.
        write_atomic(cfg.out_dir / "reports" / f"{cfg.source.stem}.invalid.xml", data)
        raise ValidationError(errors)
    write_atomic(tei_path, data)
    result = BuildResult(tei_path, doc.problems, doc.stats, timer.timings, [tei_path])
    write_candidates(doc, cfg, result)
    render(cfg, tei_path, timer, result)
    write_report(doc, result, cfg)
    return result


def write_candidates(doc: Document, cfg: BuildConfig, result: BuildResult) -> None:
    from .annotate import write_candidates as write_tsv

    path = cfg.out_dir / "reports" / "entity-candidates.tsv"
    write_tsv(doc, path)
    result.outputs.append(path)


def render(cfg: BuildConfig, tei_path: Path, timer: Timer, result: BuildResult) -> None:
    """Renderers read the TEI file, nothing else: anyone's TEI of this shape renders."""
    if "epub" in cfg.formats:
        from .epub import render_epub

        epub_path = cfg.out_dir / f"{cfg.source.stem}.epub"
        timer.run("epub", render_epub, tei_path, epub_path)
        result.outputs.append(epub_path)
    if "html" in cfg.formats:
        from .html import render_html

        html_dir = cfg.out_dir / "html"
        timer.run("html", render_html, tei_path, html_dir)
        result.outputs.append(html_dir)


def write_report(doc: Document, result: BuildResult, cfg: BuildConfig) -> None:
    report = {
        "source": {"file": doc.source.name, "encoding": doc.source.encoding, "sha256": doc.source.sha256,
                   "lines": len(doc.source.lines)},
        "stats": result.stats,
        "normalisations": doc.normalisations,
        "corrections": [asdict(c) for c in doc.corrections],
        "problems": [asdict(p) for p in result.problems],
        "outputs": [str(p) for p in result.outputs],
    }
    path = cfg.out_dir / "reports" / f"{cfg.source.stem}.report.json"
    write_atomic(path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
