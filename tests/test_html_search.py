"""The search index: Pagefind's own binary, run directly or kept warm as a service.

Real Pagefind throughout; a tiny two-page Chinese site keeps it fast.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline import html_search
from pipeline.html_search import SearchIndexError, WarmSearchIndexer, build_search_index

PAGES = {
    "index.html": ("序言", "二〇〇九年四月，美国总统在布拉格发表讲话，呼吁建立一个没有核武器的世界。"),
    "ch1.html": ("第一章 防扩散政策", "冷战结束以后，核不扩散条约的普遍性问题日益突出。"),
}


def page(title: str, text: str) -> str:
    return ('<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body><main data-pagefind-body><h1>{title}</h1>"
            f"<p>{text}</p></main></body></html>\n")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("source")
    for name, (title, text) in PAGES.items():
        (site / name).write_text(page(title, text), encoding="utf-8")
    return site


@pytest.fixture
def fresh_site(source: Path, tmp_path: Path) -> Callable[[], Path]:
    """A new copy of the site per call, at a new path, as each build's staging folder is."""
    copies = iter(range(1, 100))
    return lambda: Path(shutil.copytree(source, tmp_path / f".book.new-{next(copies)}"))


@pytest.fixture
def warm() -> Iterator[None]:
    html_search.keep_warm()
    yield
    html_search.keep_warm(False)


def bundle_digest(bundle: Path) -> dict[str, str]:
    return {str(p.relative_to(bundle)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


def is_indexed_word(bundle: Path, word: str) -> bool:
    # A word index is gzipped CBOR after a `pagefind_dcd` signature; each word
    # is a CBOR text string: major type 3 with its byte length in the low bits.
    encoded = word.encode("utf-8")
    assert len(encoded) < 24, "longer words need a longer CBOR header"
    key = bytes([0x60 + len(encoded)]) + encoded
    return any(key in gzip.decompress(chunk.read_bytes()) for chunk in (bundle / "index").glob("*.pf_index"))


def service_pid() -> int | None:
    return html_search._warm.service_pid if html_search._warm is not None else None


def test_the_binary_indexes_the_site_as_segmented_chinese(fresh_site: Callable[[], Path]) -> None:
    bundle = build_search_index(fresh_site())
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh-hans"]
    assert entry["languages"]["zh-hans"]["page_count"] == len(PAGES)
    # Words cut out of unspaced running text: only the extended (segmenting) binary does that.
    assert is_indexed_word(bundle, "总统")
    assert is_indexed_word(bundle, "冷战")
    assert not is_indexed_word(bundle, "美国总统"), "an unsegmented run of text"


def test_the_warm_service_writes_the_same_bytes_as_the_binary(fresh_site: Callable[[], Path], warm: None) -> None:
    html_search.keep_warm(False)
    by_cli = [bundle_digest(build_search_index(fresh_site())) for _ in range(2)]
    html_search.keep_warm()
    by_service = [bundle_digest(build_search_index(fresh_site())) for _ in range(2)]
    assert by_cli[0] == by_cli[1], "two command-line indexes differ"
    assert by_service[0] == by_service[1], "two indexes by one service differ"
    assert by_service[0] == by_cli[0]
    assert "pagefind-entry.json" in by_service[0]


def test_one_service_serves_every_index(fresh_site: Callable[[], Path], warm: None) -> None:
    build_search_index(fresh_site())
    first = service_pid()
    build_search_index(fresh_site())
    assert first is not None
    assert service_pid() == first


def test_a_dead_service_falls_back_to_the_binary_then_restarts(fresh_site: Callable[[], Path], warm: None) -> None:
    expected = bundle_digest(build_search_index(fresh_site()))
    dead = service_pid()
    assert dead is not None
    os.kill(dead, signal.SIGKILL)
    assert bundle_digest(build_search_index(fresh_site())) == expected
    assert service_pid() is None, "the dead service should have been dropped"
    assert bundle_digest(build_search_index(fresh_site())) == expected
    assert service_pid() not in (None, dead)


def test_closing_ends_the_service(fresh_site: Callable[[], Path]) -> None:
    indexer = WarmSearchIndexer()
    assert indexer.index(fresh_site())
    pid = indexer.service_pid
    assert pid is not None
    indexer.close()
    assert indexer.service_pid is None
    with pytest.raises(ProcessLookupError):  # exited and reaped, not a zombie
        os.kill(pid, 0)
    indexer.close()  # twice is harmless: atexit may follow keep_warm(False)


@pytest.mark.parametrize("keep_warm", [False, True], ids=["binary", "service"])
def test_a_missing_site_is_refused_by_name(tmp_path: Path, keep_warm: bool) -> None:
    html_search.keep_warm(keep_warm)
    try:
        with pytest.raises(SearchIndexError, match=r"cannot index .*nowhere: no such directory"):
            build_search_index(tmp_path / "nowhere")
    finally:
        html_search.keep_warm(False)
    assert not (tmp_path / "nowhere").exists(), "nothing may be written for a missing site"


@pytest.mark.parametrize("keep_warm", [False, True], ids=["binary", "service"])
def test_a_folder_without_pages_is_refused_by_name(tmp_path: Path, keep_warm: bool) -> None:
    (tmp_path / "notes.txt").write_text("没有网页", encoding="utf-8")
    html_search.keep_warm(keep_warm)
    try:
        with pytest.raises(SearchIndexError, match=r"cannot index .*: it has no \.html pages"):
            build_search_index(tmp_path)
    finally:
        html_search.keep_warm(False)
    assert not (tmp_path / "pagefind").exists()


def test_a_missing_binary_is_a_search_index_error(fresh_site: Callable[[], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # PAGEFIND_BINARY_PATH is the pagefind package's own override of its lookup.
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fresh_site() / "no-such-pagefind"))
    with pytest.raises(SearchIndexError, match="Pagefind binary is missing"):
        build_search_index(fresh_site())


def test_prewarm_starts_the_service_for_the_build_s_index(fresh_site: Callable[[], Path]) -> None:
    """A build starts Pagefind early; the site's index then goes through that service, same bytes."""
    expected = bundle_digest(build_search_index(fresh_site()))  # the command line: nothing is warm
    try:
        html_search.prewarm()
        warming = next(t for t in threading.enumerate() if t.name == "pagefind-warm-up")
        warming.join(timeout=30)
        started = service_pid()
        assert started is not None, "the warm-up did not start a service"
        assert bundle_digest(build_search_index(fresh_site())) == expected
        assert service_pid() == started
    finally:
        html_search.keep_warm(False)


def test_a_missing_binary_fails_the_index_not_the_warm_up(fresh_site: Callable[[], Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The early start must not print a thread's traceback; the site's index says what is wrong."""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fresh_site() / "no-such-pagefind"))
    crashed: list[object] = []
    monkeypatch.setattr(threading, "excepthook", crashed.append)
    try:
        html_search.prewarm()
        for thread in [t for t in threading.enumerate() if t.name == "pagefind-warm-up"]:
            thread.join(timeout=30)
        assert not crashed
        with pytest.raises(SearchIndexError, match="Pagefind binary is missing"):
            build_search_index(fresh_site())
    finally:
        html_search.keep_warm(False)


def test_a_ctrl_c_while_the_service_closes_at_exit_lets_it_close() -> None:
    """A Ctrl-C that lands in the clean-up at exit: no traceback, and the service still stops."""
    import subprocess
    import sys

    child = (
        "import os, signal, time\n"
        "from pipeline import html_search\n"
        "real = html_search.WarmSearchIndexer._stop\n"
        "def stop(self):\n"
        "    os.kill(os.getpid(), signal.SIGINT); time.sleep(0.2)  # the interrupt lands here, in close()\n"
        "    real(self); print('stopped', flush=True)\n"
        "html_search.WarmSearchIndexer._stop = stop\n"
        "html_search.keep_warm()\n"
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.strip() == "stopped"
