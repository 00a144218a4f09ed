"""The `edition` command: thin wrappers around pipeline.build and friends.

Exit codes: 0 built (warnings allowed); 1 the TEI is invalid; 2 usage error;
3 the input cannot be read (file, encoding, PDF, edition.toml, corrections);
4 a rendering failed; 5 warnings with --strict; 70 internal error (a bug:
EDITION_DEBUG=1 shows the traceback); 73 the output folder cannot be written;
130 interrupted.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .model import Problem

if TYPE_CHECKING:
    from .build import BuildConfig

FORMATS = ("tei", "epub", "html")


def echo_problems(problems: list[Problem], limit: int | None = None) -> None:
    """Warnings and errors, linter-style; what was dropped (info) is in the report."""
    shown = [p for p in problems if p.severity != "info"]
    for p in shown[:limit]:
        click.echo(str(p), err=True)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="edition-pipeline")
def main() -> None:
    """Build a digital edition (TEI P5, EPUB 3, HTML) of a scanned Chinese book."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(path_type=Path),
              help="Output folder.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), help="Only these outputs (repeatable).")
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--strict", is_flag=True, help="Exit 5 when there are warnings.")
@click.option("--timings", is_flag=True, help="Print the time each stage took.")
@click.option("--jobs", "-j", type=int, default=0, help="Books built at once (default: all cores).")
def build(sources: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], force: bool, strict: bool,
          timings: bool, jobs: int) -> None:
    """Build the edition of SOURCES (default: input/book.txt); several books build in parallel."""
    from .build import BuildConfig

    sources = sources or (Path("input/book.txt"),)
    chosen = tuple(f for f in FORMATS if f in (formats or FORMATS))
    configs = [BuildConfig.beside(source, out_dir, chosen) for source in sources]
    if len(configs) == 1:
        outcome = build_one(configs[0], force)
        sys.exit(show_outcome(outcome, strict, timings))
    sys.exit(build_many(configs, force, strict, jobs or os.cpu_count() or 1))


@dataclass
class Outcome:
    source: Path
    code: int
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def build_one(cfg: BuildConfig, force: bool) -> Outcome:
    """Run one build and turn every failure into an exit code and a message."""
    from .build import build as run_build

    try:
        result = run_build(cfg, force)
    except KeyboardInterrupt:
        return Outcome(cfg.source, 130, "interrupted; outputs not yet rebuilt are left as they were")
    except Exception as exc:  # an editor gets a message and a code, never a traceback
        code = getattr(exc, "exit_code", None)
        problems = getattr(exc, "problems", [])
        if code is None and unwritable_output(exc, cfg.out_dir):
            return Outcome(cfg.source, 73, f"cannot write the outputs to {cfg.out_dir}: {exc.strerror} "
                                           f"({exc.filename}); choose another --out or fix its permissions")
        if code is None:
            if os.environ.get("EDITION_DEBUG"):
                raise
            return Outcome(cfg.source, 70, f"internal error: {type(exc).__name__}: {exc} "
                                           "(run with EDITION_DEBUG=1 for the traceback)")
        message = f"{cfg.source}: the TEI is not valid; nothing written" if problems else str(exc)
        return Outcome(cfg.source, code, message, problems)
    return Outcome(cfg.source, 0, "", result.problems, result.outputs, result.skipped, result.timings)


def unwritable_output(exc: Exception, out_dir: Path) -> bool:
    """An OSError about a path in the output folder: the folder cannot be written, not a bug."""
    if not isinstance(exc, OSError) or not exc.filename:
        return False
    target, out = Path(str(exc.filename)).resolve(), out_dir.resolve()
    return target == out or out in target.parents or target in out.parents


def show_outcome(outcome: Outcome, strict: bool, timings: bool) -> int:
    echo_problems(outcome.problems, 20 if outcome.code else None)
    if outcome.code:
        click.echo(f"error: {outcome.message}", err=True)
        return outcome.code
    warnings = [p for p in outcome.problems if p.severity != "info"]
    built = ", ".join(str(p) for p in outcome.outputs) or "nothing to rebuild"
    skipped = f"; up to date: {', '.join(outcome.skipped)}" if outcome.skipped else ""
    click.echo(f"{outcome.source}: {built}{skipped} ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})")
    if timings and outcome.timings:
        click.echo("  " + "  ".join(f"{k} {v:.3f}s" for k, v in outcome.timings.items()))
    return 5 if strict and warnings else 0


def warn_shared_identifiers(configs: list[BuildConfig]) -> None:
    """Books whose edition.toml gives the same identifier: e-readers would take them for one book."""
    from .tei import EditionMetaError, load_edition_meta

    by_identifier: dict[str, list[BuildConfig]] = {}
    for cfg in configs:
        try:
            identifier = load_edition_meta(cfg.edition).identifier
        except EditionMetaError:  # reported by that book's own build
            continue
        if identifier:
            by_identifier.setdefault(identifier, []).append(cfg)
    for identifier, same in by_identifier.items():
        if len(same) > 1:
            files = sorted({str(cfg.edition) for cfg in same})
            click.echo(f"W060 {', '.join(files)}: {', '.join(cfg.source.name for cfg in same)} have the same "
                       f"identifier {identifier}; give each book its own <book>.edition.toml with its own "
                       "identifier", err=True)


def build_many(configs: list[BuildConfig], force: bool, strict: bool, jobs: int) -> int:
    """Books in parallel on all cores; one failure does not stop the others."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    warn_shared_identifiers(configs)
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(configs))) as pool:
        futures = {pool.submit(build_one, cfg, force): cfg for cfg in configs}
        with click.progressbar(length=len(futures), label="building", file=sys.stderr) as bar:
            for future in as_completed(futures):
                outcomes.append(future.result())
                bar.update(1)
    codes = [show_outcome(o, strict, False) for o in sorted(outcomes, key=lambda o: str(o.source))]
    failed = [o for o, c in zip(sorted(outcomes, key=lambda o: str(o.source)), codes) if c]
    click.echo(f"{len(outcomes) - len(failed)} of {len(outcomes)} books built"
               + (f"; failed: {', '.join(str(o.source) for o in failed)}" if failed else ""))
    return max(codes) if codes else 0


@main.command()
@click.argument("tei_file", type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, type=click.Choice(("epub", "html")), help="Default: both.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Default: the TEI file's folder.")
def render(tei_file: Path, formats: tuple[str, ...], out_dir: Path | None) -> None:
    """Render any TEI file of the edition's shape as EPUB and/or HTML."""
    from .build import BuildResult, html_site
    from .build import render as run_render
    from .validate import validate as run_validate

    if not tei_file.is_file():
        fail(f"{tei_file}: no such file", 3)
    # The renderers rely on the edition's shape (docs/encoding.md); a file without it
    # would render wrong without a word, so it is refused as `edition validate` would.
    problems = run_validate(tei_file)
    if problems:
        echo_problems(problems)
        fail(f"{tei_file}: not a TEI of the edition's shape (the project schema); nothing rendered", 1)
    out_dir = out_dir or tei_file.parent
    result = BuildResult(tei_file)
    for fmt in formats or ("epub", "html"):
        output = out_dir / f"{tei_file.stem}.epub" if fmt == "epub" else html_site(out_dir, tei_file.stem)
        try:
            result.timings[fmt] = run_render(fmt, tei_file, output)
            result.outputs.append(output)
        except Exception as exc:  # noqa: BLE001
            fail(str(exc), getattr(exc, "exit_code", 4))
    click.echo(", ".join(str(p) for p in result.outputs))


@main.command()
@click.argument("source", default="input/book.txt", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(path_type=Path))
@click.option("--interval", default=0.2, show_default=True, help="Seconds between looks at the files.")
@click.option("--builds", "max_builds", type=int, default=0, hidden=True, help="Stop after N builds (tests).")
def watch(source: Path, out_dir: Path, interval: float, max_builds: int) -> None:
    """Rebuild SOURCE whenever it, the editor's files or the templates change.

    The process stays warm (jieba's dictionary, compiled templates, one Pagefind
    service), so a rebuild after an edit takes a fraction of a cold build.  Code
    changes need a restart.
    """
    import time

    from .build import BuildConfig, editor_inputs
    from .html_search import keep_warm
    from .incremental import renderer_files

    keep_warm()  # closed at exit and on Ctrl-C
    watched = lambda: [*editor_inputs(BuildConfig.beside(source, out_dir)),  # files may appear
                       *renderer_files("epub"), *renderer_files("html")]
    snapshot = lambda: {p: p.stat().st_mtime_ns for p in watched() if p.exists()}
    click.echo(f"watching {source} and the editor's files in {source.parent}/ (Ctrl-C to stop)")
    seen: dict[Path, int] = {}
    builds = 0
    try:
        while not max_builds or builds < max_builds:
            now = snapshot()
            if now != seen:
                seen = now
                outcome = build_one(BuildConfig.beside(source, out_dir), False)
                show_outcome(outcome, False, True)
                if outcome.code == 130:  # Ctrl-C during a rebuild stops watching too
                    sys.exit(130)
                builds += 1
                continue
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped")  # Ctrl-C between rebuilds: the normal way to end, exit 0


@main.group()
def server() -> None:
    """The build server that `edition build` hands a book's build to (EDITION_SERVER=off: never)."""


@server.command("status")
def server_status() -> None:
    """List this user's build servers: process, builds served, peak memory."""
    from .build_server import ask, running_servers, runtime_dir

    found = 0
    for path in running_servers(runtime_dir(os.environ)):
        answer = ask(path, {"status": True})
        if answer:
            found += 1
            click.echo(f"{path}: cache {answer['cache']}, pid {answer['pid']}, {answer['served']} builds served, "
                       f"last build {answer['idle_s']} s ago, peak {int(answer['peak_rss_kb']) // 1024} MB "
                       "(Pagefind's process apart)")
    if not found:
        click.echo("no build server is running")


@server.command("stop")
def server_stop() -> None:
    """Stop this user's build servers (each after the build it is serving)."""
    from .build_server import running_servers, runtime_dir, stop_servers

    told = stop_servers(running_servers(runtime_dir(os.environ)))
    click.echo(f"{len(told)} build server{'s' if len(told) != 1 else ''} told to stop")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def validate(file: Path) -> None:
    """Validate a TEI FILE against the project schema and its Schematron rules."""
    from .validate import validate as run_validate

    if not file.is_file():
        fail(f"{file}: no such file", 3)
    problems = run_validate(file)
    echo_problems(problems)
    if problems:
        sys.exit(1)
    click.echo(f"{file}: valid")


@main.command()
@click.argument("source", default="input/book.txt", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(path_type=Path))
def report(source: Path, out_dir: Path) -> None:
    """Show the report of the last build of SOURCE: pages, re-joined paragraphs,
    notes, corrections with their rule and evidence, warnings."""
    path = out_dir / "reports" / f"{source.stem}.report.json"
    if not path.exists():
        fail(f"{path} not found; run `edition build {source}` first (or give the same --out as that build)", 3)
    data = json.loads(path.read_text(encoding="utf-8"))
    src = data["source"]
    click.echo(f"{src['file']}  {src['lines']} lines, {src['encoding']}, sha256 {src['sha256'][:16]}…"
               "  (the last build that wrote a TEI file)")
    for key, value in data["stats"].items():
        click.echo(f"  {key}: {value}")
    click.echo("normalisations (declared in encodingDesc):")
    for key, value in data["normalisations"].items():
        click.echo(f"  {key}: {value}")
    click.echo(f"corrections ({len(data['corrections'])}):")
    for c in data["corrections"]:
        click.echo(f"  {src['file']}:{c['line']} {c['sic']} → {c['corr']}  [{c['rule']}, {c['cert']}] {c['evidence']}")
    problems = [Problem(**p) for p in data["problems"]]
    dropped = [p for p in problems if p.severity == "info"]
    click.echo(f"dropped artefacts ({len(dropped)}):")
    for p in dropped:
        click.echo("  " + str(p))
    click.echo(f"warnings ({len(problems) - len(dropped)}):")
    for p in problems:
        if p.severity != "info":
            click.echo("  " + str(p))


if __name__ == "__main__":
    main()
