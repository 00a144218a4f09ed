"""Rebuild only what changed.

Each output has a fingerprint: the hash of everything it is made from.  The
TEI is made from the book, the editor's files and the core code; each
rendering from the TEI bytes and its own code and templates.  A fingerprint
that matches the last build's, with the output still on disk, means there is
nothing to do.  This module imports nothing heavy, so a no-op build stays fast.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SCHEMAS = PACKAGE.parent / "schemas"
# What each rendering is made of, besides the TEI; everything else in the
# package (and the schemas) makes the TEI.
RENDERER_CODE = {
    "epub": ["epub*.py", "teiview/**/*.py", "templates/epub/**/*"],
    "html": ["html*.py", "teiview/**/*.py", "templates/html/**/*"],
}


def digest(paths: Iterable[Path], extra: bytes = b"") -> str:
    h = hashlib.sha256(extra)
    for path in sorted(set(paths)):
        if path.is_file():
            h.update(str(path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path).encode())
            h.update(b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def renderer_files(fmt: str) -> set[Path]:
    return {p for pattern in RENDERER_CODE[fmt] for p in PACKAGE.glob(pattern)}


def core_files() -> set[Path]:
    rendering = set().union(*(renderer_files(f) for f in RENDERER_CODE))
    code = {p for p in PACKAGE.glob("*.py")} - rendering
    return code | set(SCHEMAS.glob("edition.*"))


def tei_fingerprint(inputs: Iterable[Path]) -> str:
    """The inputs, the core code, and the build date the TEI records (SOURCE_DATE_EPOCH)."""
    return digest(list(inputs) + sorted(core_files()), f"tei:{build_epoch()}".encode())


def rendering_fingerprint(fmt: str, tei_path: Path, download: Path | None = None) -> str:
    """The TEI, the renderer's code and templates, (HTML) the EPUB it offers for download, and
    SOURCE_DATE_EPOCH: the EPUB dates itself to the second, the TEI only to the day."""
    sources = [tei_path, *renderer_files(fmt), *([download] if download else [])]
    return digest(sources, f"{fmt}:{build_epoch()}".encode())


def build_epoch() -> str:
    """SOURCE_DATE_EPOCH as the outputs record it: an input of every fingerprint."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip()


class Fingerprints:
    """The fingerprints of the last build, kept beside the outputs."""

    def __init__(self, out_dir: Path, stem: str) -> None:
        self.path = out_dir / "reports" / f".{stem}.fingerprints.json"
        try:
            self.data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    def fresh(self, key: str, fingerprint: str, output: Path) -> bool:
        """Made from the same sources, and (for a file) still the bytes this pipeline wrote:
        an output edited by hand is made again, never passed on."""
        if self.data.get(key) != fingerprint or not output.exists():
            return False
        written = self.data.get(key + ":output")
        return written is None or not output.is_file() or file_digest(output) == written

    def record(self, key: str, fingerprint: str, output: Path | None = None) -> None:
        self.data[key] = fingerprint
        if output is not None and output.is_file():
            self.data[key + ":output"] = file_digest(output)

    def forget(self, key: str) -> None:
        self.data.pop(key, None)

    def save(self) -> None:
        from .atomic import write_atomic

        write_atomic(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8"))
