"""Shared fixtures.  Under CI=true a skipped test fails the run: no check may
silently disappear because a tool was missing on the machine."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "input" / "book.txt"
# The official TEI schema (tei_all.rng from the TEI Consortium's releases): beside the project
# in the workplace's shared folder, or wherever TEI_ALL_RNG says.
TEI_ALL = Path(os.environ.get("TEI_ALL_RNG") or ROOT.parent / "shared" / "tei" / "tei_all.rng")
# Builds run in their own processes unless a test asks for the build server (test_build_server.py):
# no test leaves a server behind.
os.environ["EDITION_SERVER"] = "off"
# The Ctrl-C tests need Python's own SIGINT handling, here and in the processes they start; a shell
# that runs the suite in the background hands it SIGINT ignored, and an ignored signal is inherited.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; a skipped check fails CI", red=True)
        for rep in skipped:
            reporter.write_line(f"  skipped: {rep.nodeid} ({rep.longrepr[-1] if rep.longrepr else ''})")
        session.exitstatus = 1


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built once (TEI only) into a temporary output folder."""
    out = tmp_path_factory.mktemp("book-out")
    run_edition("build", str(BOOK), "--out", str(out), "--format", "tei", check=True)
    return out


def run_edition(*args: str, check: bool = False, cwd: Path = ROOT,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `edition` command as a user would."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=full_env, check=False,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"edition {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc
