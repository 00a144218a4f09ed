"""Offline full-text search for the HTML edition, built by Pagefind.

Pagefind (the `pagefind[extended]` wheel from PyPI) indexes the rendered
pages after the fact and writes a static bundle under `pagefind/`; its
"extended" build segments Chinese text, so a query like 奥巴马 matches inside
unspaced running text.  The bundle is fetched by the browser, which is why
search needs the site to be served (http://), not opened from file://.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BUNDLE_DIR = "pagefind"


class SearchIndexError(RuntimeError):
    """Pagefind failed; the site must not be published without its index."""


def build_search_index(site_dir: Path) -> Path:
    """Index every page of `site_dir` and return the bundle directory.

    Pagefind reads the language from <html lang>; every page says zh-Hans,
    so the whole site is one Chinese index.
    """
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    bundle = site_dir / BUNDLE_DIR
    if done.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        raise SearchIndexError(
            f"pagefind failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
    return bundle
