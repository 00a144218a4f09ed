"""The `edition` command: thin wrappers around pipeline.build and friends.

Exit codes: 0 built (warnings allowed); 1 the TEI is invalid; 2 usage error;
3 the input cannot be read (file, encoding, PDF, edition.toml, corrections);
4 a rendering failed; 5 warnings with --strict; 130 interrupted.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .model import Problem

FORMATS = ("tei", "epub", "html")


def echo_problems(problems: list[Problem], limit: int | None = None) -> None:
    for p in problems[:limit]:
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
@click.option("--strict", is_flag=True, help="Exit 5 when there are warnings.")
@click.option("--timings", is_flag=True, help="Print the time each stage took.")
def build(sources: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], strict: bool, timings: bool) -> None:
    """Build the edition of SOURCES (default: input/book.txt)."""
    from .build import BuildConfig
    from .build import build as run_build

    sources = sources or (Path("input/book.txt"),)
    chosen = formats or FORMATS
    for source in sources:
        cfg = BuildConfig.beside(source, out_dir, tuple(f for f in FORMATS if f in chosen))
        try:
            result = run_build(cfg)
        except KeyboardInterrupt:
            fail("interrupted; earlier outputs are left as they were", 130)
        except Exception as exc:  # noqa: BLE001 - every failure gets a message and a code, never a traceback
            code = getattr(exc, "exit_code", None)
            if code is None:
                raise
            echo_problems(getattr(exc, "problems", []), 20)
            fail(str(exc) if not getattr(exc, "problems", None) else f"{source}: the TEI is not valid; nothing written",
                 code)
        echo_problems(result.problems)
        warnings = [p for p in result.problems if p.severity == "warning"]
        click.echo(f"{source}: {', '.join(str(p) for p in result.outputs)} "
                   f"({len(warnings)} warning{'s' if len(warnings) != 1 else ''})")
        if timings:
            click.echo("  " + "  ".join(f"{k} {v:.3f}s" for k, v in result.timings.items()))
        if strict and warnings:
            sys.exit(5)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def validate(file: Path) -> None:
    """Validate a TEI FILE against the project schema and its Schematron rules."""
    from .validate import validate as run_validate

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
        fail(f"{path} not found; run `edition build {source}` first", 3)
    data = json.loads(path.read_text(encoding="utf-8"))
    src = data["source"]
    click.echo(f"{src['file']}  {src['lines']} lines, {src['encoding']}, sha256 {src['sha256'][:16]}…")
    for key, value in data["stats"].items():
        click.echo(f"  {key}: {value}")
    click.echo("normalisations (declared in encodingDesc):")
    for key, value in data["normalisations"].items():
        click.echo(f"  {key}: {value}")
    click.echo(f"corrections ({len(data['corrections'])}):")
    for c in data["corrections"]:
        click.echo(f"  {src['file']}:{c['line']} {c['sic']} → {c['corr']}  [{c['rule']}, {c['cert']}] {c['evidence']}")
    click.echo(f"problems ({len(data['problems'])}):")
    for p in data["problems"]:
        click.echo("  " + str(Problem(**p)))


if __name__ == "__main__":
    main()
