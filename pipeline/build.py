"""The pipeline: stages in order, each timed, problems collected, outputs
written atomically.

    ingest → clean → structure → annotate → tei → validate → write
    then the renderers read the TEI file: epub, html
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_atomic
from .model import Document, Problem

if TYPE_CHECKING:
    from .incremental import Fingerprints
    from .model import Source


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
               formats: tuple[str, ...] = ("tei", "epub", "html")) -> BuildConfig:
        """The editor's data files sit next to the book in its folder (input/);
        a book of a series may have its own (`input/<stem>.register.toml`)."""
        folder = source.parent

        def opt(name: str) -> Path | None:
            for path in (folder / f"{source.stem}.{name}", folder / name):
                if path.exists():
                    return path
            return None
        return cls(source, out_dir, opt("corrections.tsv"), opt("register.toml"), opt("annotations.toml"),
                   opt("edition.toml"), formats)


@dataclass
class BuildResult:
    tei_path: Path
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # outputs that were up to date


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[name] = round(time.perf_counter() - start, 4)


def build_document(cfg: BuildConfig, timer: Timer) -> Document:
    """The stages up to the annotated Document."""
    from .annotate import annotate
    from .clean import clean
    from .ingest import ingest
    from .jieba_setup import save_memos
    from .structure import structure

    source = timer.run("ingest", ingest, cfg.source)
    text = timer.run("clean", clean, source, cfg.corrections)
    doc = timer.run("structure", structure, text)
    doc = timer.run("annotate", annotate, doc, cfg.register, cfg.annotations)
    doc.problems[:0] = source.dropped
    if source.encoding == "pdf":
        doc.problems = located_by_page(doc.problems, source)
    save_memos()
    return doc


def located_by_page(problems: list[Problem], source: Source) -> list[Problem]:
    """A PDF's lines are our extraction's, not anything its reader sees: say the page instead."""
    from .pagination import physical_pages

    physical = physical_pages(source.lines)
    return [replace(p, line=None, page=physical[p.line]) if p.line in physical and p.file == source.name
            and not p.page else p for p in problems]


class RenderError(Exception):
    exit_code = 4


def editor_inputs(cfg: BuildConfig) -> list[Path]:
    return [cfg.source] + [p for p in (cfg.corrections, cfg.register, cfg.annotations, cfg.edition) if p]


def build(cfg: BuildConfig, force: bool = False) -> BuildResult:
    """Build what is out of date: the TEI, then the renderings asked for.

    Raises on bad input (IngestError…), on an invalid TEI (ValidationError) and
    on a failed rendering (RenderError); earlier outputs are then left as they were.
    """
    from .incremental import Fingerprints, tei_fingerprint

    prints = Fingerprints(cfg.out_dir, cfg.source.stem)
    tei_path = cfg.out_dir / f"{cfg.source.stem}.xml"
    report_path = cfg.out_dir / "reports" / f"{cfg.source.stem}.report.json"
    fingerprint = tei_fingerprint(editor_inputs(cfg))
    if force or not (prints.fresh("tei", fingerprint, tei_path) and report_path.exists()):
        if "html" in cfg.formats:
            from .html_search import prewarm

            prewarm()  # the search indexer starts up on another core while the TEI is made
        result = build_tei_file(cfg, tei_path)
        prints.record("tei", fingerprint, tei_path)
        prints.save()
    else:
        result = BuildResult(tei_path, problems=load_report_problems(report_path), skipped=["tei"])
    render_all(cfg, tei_path, result, prints, force)
    if result.outputs:
        record_outputs(cfg, report_path)
    return result


def book_outputs(cfg: BuildConfig) -> list[Path]:
    """Every output of the book that is on disk: TEI, candidates, renderings."""
    candidates = cfg.out_dir / "reports" / f"{cfg.source.stem}.entity-candidates.tsv"
    outputs = [cfg.out_dir / f"{cfg.source.stem}.xml", candidates,
               *(rendering_output(cfg, f) for f in ("epub", "html"))]
    return [p for p in outputs if p.exists()]


def record_outputs(cfg: BuildConfig, report_path: Path) -> None:
    """The report lists the outputs as they are after the renderings (a first build adds some)."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    outputs = [str(p) for p in book_outputs(cfg)]
    if report.get("outputs") != outputs:
        report["outputs"] = outputs
        write_report_file(report_path, report)


def write_report_file(path: Path, report: dict[str, Any]) -> None:
    write_atomic(path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def render_all(cfg: BuildConfig, tei_path: Path, result: BuildResult, prints: Fingerprints, force: bool) -> None:
    """The EPUB and the HTML edition.  The HTML edition offers the EPUB for download, so its
    fingerprint includes the EPUB as it is after this build.  When the HTML is out of date
    anyway (a new TEI), its pages are written first and Pagefind indexes them on another
    core while the EPUB is made; the downloads go in at the end."""
    from .cache import save_pinyin_keys
    from .incremental import rendering_fingerprint

    epub, site = rendering_output(cfg, "epub"), rendering_output(cfg, "html")
    epub_print = rendering_fingerprint("epub", tei_path)
    html_print = lambda: rendering_fingerprint("html", tei_path, epub)  # noqa: E731 - after the EPUB is made
    wanted = [f for f in ("epub", "html") if f in cfg.formats]
    pending = None
    try:
        if "html" in wanted and (force or not prints.fresh("html", html_print(), site)):
            pending = start_html_site(result, tei_path, site)
        if "epub" in wanted:
            if force or not prints.fresh("epub", epub_print, epub):
                from .epub import render_epub

                rendering(result, "epub", tei_path, lambda: render_epub(tei_path, epub))
                record_rendering(result, prints, "epub", epub_print, epub)
            else:
                result.skipped.append("epub")
        if "html" in wanted:
            if pending is None and not prints.fresh("html", html_print(), site):  # the EPUB it offers is new
                pending = start_html_site(result, tei_path, site)
            if pending is None:
                result.skipped.append("html")
            else:
                pending, finishing = None, pending
                rendering(result, "html", tei_path, finishing.finish)
                record_rendering(result, prints, "html", html_print(), site)
                from .html_series import write_series_page

                write_series_page(site.parent)
    except BaseException:
        if pending is not None:
            pending.abandon()
        raise
    finally:
        save_pinyin_keys()
        for fmt in ("epub", "html"):  # reported in this order, whichever started first
            if fmt in result.timings:
                result.timings[fmt] = result.timings.pop(fmt)


def record_rendering(result: BuildResult, prints: Fingerprints, fmt: str, fingerprint: str, output: Path) -> None:
    result.outputs.append(output)
    prints.record(fmt, fingerprint, output)
    prints.save()


def start_html_site(result: BuildResult, tei_path: Path, site: Path):  # -> html.PendingSite
    from .html import start_html

    return rendering(result, "html", tei_path, lambda: start_html(tei_path, site))


def rendering(result: BuildResult, fmt: str, tei_path: Path, step: Callable[[], Any]) -> Any:
    """One step of a renderer, timed into the format's time; a failure becomes a
    RenderError that names the format and the TEI file."""
    start = time.perf_counter()
    try:
        return step()
    except (OSError, ValueError, LookupError) as exc:
        raise RenderError(f"{fmt} rendering of {tei_path} failed: {exc}") from exc
    finally:
        result.timings[fmt] = round(result.timings.get(fmt, 0.0) + time.perf_counter() - start, 4)


def build_tei_file(cfg: BuildConfig, tei_path: Path) -> BuildResult:
    from .tei import load_edition_meta, tei
    from .validate import ValidationError, validate_bytes

    timer = Timer()
    meta = load_edition_meta(cfg.edition)
    doc = build_document(cfg, timer)
    data = timer.run("tei", tei, doc, meta)
    errors = timer.run("validate", validate_bytes, data, tei_path.name)
    if errors:
        # Kept for diagnosis beside the reports, never over the last good TEI.
        write_atomic(cfg.out_dir / "reports" / f"{cfg.source.stem}.invalid.xml", data)
        raise ValidationError(errors)
    write_atomic(tei_path, data)
    (cfg.out_dir / "reports" / f"{cfg.source.stem}.invalid.xml").unlink(missing_ok=True)  # it is fixed now
    result = BuildResult(tei_path, doc.problems, doc.stats, timer.timings, [tei_path])
    write_candidates(doc, cfg, result)
    write_report(doc, result, cfg)
    return result


def load_report_problems(path: Path) -> list[Problem]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Problem(**p) for p in data.get("problems", [])]


def write_candidates(doc: Document, cfg: BuildConfig, result: BuildResult) -> None:
    from .annotate import write_candidates as write_tsv

    path = cfg.out_dir / "reports" / f"{cfg.source.stem}.entity-candidates.tsv"
    write_tsv(doc, path)
    result.outputs.append(path)


def rendering_output(cfg: BuildConfig, fmt: str) -> Path:
    """`<out>/<stem>.epub`, and `<out>/html/<stem>/`: each book of a series has its own site."""
    return html_site(cfg.out_dir, cfg.source.stem) if fmt == "html" else cfg.out_dir / f"{cfg.source.stem}.epub"


def html_site(out_dir: Path, stem: str) -> Path:
    return out_dir / "html" / stem


def render(fmt: str, tei_path: Path, output: Path) -> float:
    """Renderers read the TEI file, nothing else: anyone's TEI of this shape renders.
    Returns the seconds it took."""
    if fmt == "epub":
        from .epub import render_epub as renderer
    else:
        from .html import render_html as renderer
    result = BuildResult(tei_path)
    rendering(result, fmt, tei_path, lambda: renderer(tei_path, output))
    return result.timings[fmt]


def write_report(doc: Document, result: BuildResult, cfg: BuildConfig) -> None:
    report = {
        "source": {"file": doc.source.name, "encoding": doc.source.encoding, "sha256": doc.source.sha256,
                   "lines": len(doc.source.lines)},
        "stats": result.stats,
        "normalisations": doc.normalisations,
        "corrections": [asdict(c) for c in doc.corrections],
        "problems": [asdict(p) for p in result.problems],
        "outputs": [str(p) for p in book_outputs(cfg)],
    }
    write_report_file(cfg.out_dir / "reports" / f"{cfg.source.stem}.report.json", report)
