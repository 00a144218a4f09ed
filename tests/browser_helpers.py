"""Debian's chromium, started the way every browser test starts it (never playwright's own
download, which cannot be fetched here): a missing browser fails with what to install."""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def debian_chromium() -> str:
    """The browser's path; the test fails, never skips, when it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    return str(CHROMIUM)


def launch_chromium(playwright):  # -> playwright Browser
    return playwright.chromium.launch(executable_path=debian_chromium(), args=CHROMIUM_ARGS)
