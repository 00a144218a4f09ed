"""Offline full-text search for the HTML edition, built by Pagefind.

Pagefind (the `pagefind[extended]` wheel from PyPI) indexes the rendered
pages after the fact and writes a static bundle under `pagefind/`; its
"extended" build segments Chinese text, so a query like 奥巴马 matches inside
unspaced running text.  The bundle is fetched by the browser, which is why
search needs the site to be served (http://), not opened from file://.

The native binary is run directly, not through `python -m pagefind`, which
would only start a second interpreter to exec it (≈ 0.07 s).  Most of what is
left (≈ 0.19 s of ≈ 0.22 s for the book) is the binary loading its Chinese
dictionary, once per process.  `keep_warm()` (for `edition watch`) therefore
keeps one `pagefind --service` process alive: from the second index on, the
dictionary is already loaded and the book indexes in ≈ 0.04 s.  Its bundle is
byte-identical to the command line's.
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BUNDLE_DIR = "pagefind"

# An index of the 20× book takes well under a second; a reply this late means the
# service is stuck (or speaks another protocol), and the command line takes over.
SERVICE_TIMEOUT_S = 120.0
# A service that keeps dying is not worth restarting for every build.
MAX_SERVICE_FAILURES = 3


class SearchIndexError(RuntimeError):
    """Pagefind failed; the site must not be published without its index."""


def build_search_index(site_dir: Path) -> Path:
    """Index every page of `site_dir` and return the bundle directory.

    Pagefind reads the language from <html lang>; every page says zh-Hans,
    so the whole site is one Chinese index.
    """
    site_dir = Path(site_dir)
    check_site(site_dir)
    warm = _warm
    if warm is None or not warm.index(site_dir):
        index_with_cli(site_dir)
    bundle = site_dir / BUNDLE_DIR
    if not (bundle / "pagefind-entry.json").is_file():
        raise SearchIndexError(f"pagefind wrote no pagefind-entry.json in {bundle}")
    return bundle


def check_site(site_dir: Path) -> None:
    # Pagefind's own message for both cases ("the directory passed to Pagefind was
    # empty or did not contain any html files") names neither the directory nor
    # which it was, and its service writes an empty bundle without complaint.
    if not site_dir.is_dir():
        raise SearchIndexError(f"cannot index {site_dir}: no such directory")
    if next(site_dir.rglob("*.html"), None) is None:
        raise SearchIndexError(f"cannot index {site_dir}: it has no .html pages")


def pagefind_binary() -> Path:
    """The native binary that the installed `pagefind` package would run."""
    try:
        return _find_binary()
    except (ImportError, FileNotFoundError) as exc:
        raise SearchIndexError(
            f"the Pagefind binary is missing ({exc}); install it with: pip install 'pagefind[extended]'"
        ) from exc


def _find_binary() -> Path:
    # `pagefind.service.get_executable` is the package's own lookup, but importing
    # it imports asyncio (≈ 30 ms); the extended wheel answers the same when the
    # package's override variable is unset.
    if not os.getenv("PAGEFIND_BINARY_PATH"):
        try:
            from pagefind_bin_extended import get_executable as extended_executable
        except ImportError:
            pass
        else:
            return Path(extended_executable()).resolve()
    from pagefind.service import get_executable

    found = get_executable()
    if found is None or not found.is_file():
        raise FileNotFoundError(f"no Pagefind binary at {found}" if found else "no Pagefind binary found")
    return found.resolve()


def index_with_cli(site_dir: Path) -> None:
    cmd = [str(pagefind_binary()), "--site", str(site_dir), "--silent"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:  # not executable, wrong architecture
        raise SearchIndexError(f"cannot run {cmd[0]}: {exc}") from exc
    if done.returncode != 0:
        # Pagefind prints its error line twice.
        said = "\n".join(dict.fromkeys((done.stderr or done.stdout).strip().splitlines()))
        raise SearchIndexError(f"pagefind failed on {site_dir} (exit {done.returncode}): {said}")


# ---------------------------------------------------------------- warm service

class ServiceFailed(Exception):
    """The Pagefind service died, stalled or answered nonsense."""


class PagefindService:
    """One `pagefind --service` process, spoken to synchronously.

    The protocol is the one of the `pagefind` package's own client (1.x): each
    message is base64 of a JSON object, ended by a comma, one reply per request.
    That client is not used because its reader sleeps 0.1 s before every reply,
    so an index (four messages) would take 0.4 s: slower than a cold binary.
    """

    def __init__(self, binary: Path) -> None:
        # stderr goes to a file, not a pipe that nobody reads and that could fill up.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the service
        try:
            # A session of its own: Ctrl-C at the terminal interrupts the build, which
            # then closes the service; killed by the same signal it would linger as a zombie.
            self._proc = subprocess.Popen(
                [str(binary), "--service"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, start_new_session=True,
            )
        except BaseException:
            self._stderr.close()
            raise
        self._last_id = 0
        self._unread = b""

    @property
    def pid(self) -> int:
        return self._proc.pid

    def request(self, payload: dict[str, Any]) -> dict[str, Any]:
        self._last_id += 1
        message = json.dumps({"message_id": self._last_id, "payload": payload}).encode()
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(message) + b",")
            stdin.flush()
        except OSError as exc:  # BrokenPipeError: the service has exited
            raise ServiceFailed(f"cannot write to the service: {exc}{self._said()}") from exc
        reply = self._decode(self._read_frame())
        body = reply.get("payload")
        if reply.get("message_id") != self._last_id or not isinstance(body, dict) or body.get("type") == "Error":
            raise ServiceFailed(f"unexpected reply to {payload['type']}: {reply}")
        return body

    def _read_frame(self) -> bytes:
        # Raw reads with a deadline, so that a stuck service cannot hang `edition watch`.
        stdout = self._proc.stdout
        assert stdout is not None
        fd = stdout.fileno()
        deadline = time.monotonic() + SERVICE_TIMEOUT_S
        while b"," not in self._unread:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ServiceFailed(f"no reply within {SERVICE_TIMEOUT_S:.0f} s")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ServiceFailed(f"the service closed its output (exit {self._exit_code()}){self._said()}")
            self._unread += chunk
        frame, _, self._unread = self._unread.partition(b",")
        return frame

    @staticmethod
    def _decode(frame: bytes) -> dict[str, Any]:
        try:
            reply = json.loads(base64.b64decode(frame.strip(), validate=True))
        except ValueError as exc:  # binascii.Error and JSONDecodeError are ValueErrors
            raise ServiceFailed(f"undecodable reply {frame[:80]!r}") from exc
        if not isinstance(reply, dict):
            raise ServiceFailed(f"unexpected reply {reply!r}")
        return reply

    def _exit_code(self) -> int | None:
        try:
            return self._proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None

    def _said(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip()
        return f": {text}" if text else ""

    def close(self) -> None:
        """End the service: EOF on its stdin makes it exit by itself."""
        for pipe in (self._proc.stdin, self._proc.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:  # flushing into a dead service
                pass
        try:
            self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._stderr.close()


class WarmSearchIndexer:
    """Indexes sites through one long-lived Pagefind service.

    `index()` returns False when the service fails, and the caller falls back
    to the command line; the next call starts a fresh service, unless
    MAX_SERVICE_FAILURES have happened in a row.
    """

    def __init__(self) -> None:
        self._service: PagefindService | None = None
        self._failures = 0
        self._lock = threading.Lock()
        # A forked child (a process pool) inherits this object but must not
        # talk through its parent's pipes.
        self._owner = os.getpid()

    def index(self, site_dir: Path) -> bool:
        """Write the bundle of `site_dir` into `site_dir/pagefind`; False if the service failed."""
        if os.getpid() != self._owner or self._failures >= MAX_SERVICE_FAILURES:
            return False
        with self._lock:
            try:
                self._index(self._running(), site_dir.resolve())
                self._failures = 0
                return True
            except (ServiceFailed, OSError):
                self._failures += 1
                self._stop()
                return False
            except BaseException:  # Ctrl-C mid-request: the reply would be out of step
                self._stop()
                raise

    @property
    def service_pid(self) -> int | None:
        """The process id of the running service, if one is running."""
        return self._service.pid if self._service is not None else None

    def _running(self) -> PagefindService:
        # A service that died since the last index is found out by the first
        # request (a broken pipe): that index falls back, the next one restarts.
        if self._service is None:
            self._service = PagefindService(pagefind_binary())
        return self._service

    @staticmethod
    def _index(service: PagefindService, site: Path) -> None:
        index_id = service.request({"type": "NewIndex", "config": None}).get("index_id")
        if not isinstance(index_id, int):
            raise ServiceFailed(f"the service gave no index id: {index_id!r}")
        found = service.request({"type": "AddDir", "index_id": index_id, "path": str(site), "glob": None})
        if found.get("page_count"):
            # Not "WriteFiles": the service answers it before its writes are all done,
            # and a file read right after can still be empty.  The bundle comes back
            # in the reply and is written here, whole, before the site is published.
            files = service.request({"type": "GetFiles", "index_id": index_id}).get("files")
            write_bundle(site / BUNDLE_DIR, files)
        service.request({"type": "DeleteIndex", "index_id": index_id})  # frees its memory
        if not found.get("page_count"):  # the CLI refuses such a site; let it say why
            raise ServiceFailed(f"the service found no pages in {site}")

    def _stop(self) -> None:
        if self._service is not None:
            service, self._service = self._service, None
            service.close()

    def warm_up(self) -> None:
        """Start the service and have it load its Chinese dictionary, on a page of
        its own; meant for a thread, while the build does other work."""
        if self._service is not None:
            return
        # mkdtemp, not TemporaryDirectory: its finalizer would race this thread at exit.
        site = Path(tempfile.mkdtemp(prefix="pagefind-warm-up-"))
        try:
            (site / "index.html").write_text(WARM_UP_PAGE, encoding="utf-8")
            self.index(site)
        except SearchIndexError:
            pass  # no usable binary: the site's own index says so, in the build's words
        finally:
            shutil.rmtree(site, ignore_errors=True)

    def close(self) -> None:
        if os.getpid() != self._owner:
            return
        # A warm-up still running holds the lock; do not wait long for it at exit.
        locked = self._lock.acquire(timeout=2)
        try:
            self._stop()
        finally:
            if locked:
                self._lock.release()


def write_bundle(bundle: Path, files: object) -> None:
    """The files of a GetFiles reply: paths relative to the bundle, contents in base64."""
    if not isinstance(files, list) or not files:
        raise ServiceFailed(f"the service returned no bundle files: {str(files)[:80]}")
    root = bundle.resolve()
    for entry in files:
        if not isinstance(entry, dict):
            raise ServiceFailed(f"unexpected bundle entry {str(entry)[:80]}")
        target = (root / str(entry.get("path", ""))).resolve()
        if root not in target.parents:
            raise ServiceFailed(f"the service named a file outside the bundle: {entry.get('path')!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(base64.b64decode(entry.get("content", ""), validate=True))
        except ValueError as exc:
            raise ServiceFailed(f"undecodable content for {entry.get('path')!r}") from exc


_warm: WarmSearchIndexer | None = None
WARM_UP_PAGE = '<!DOCTYPE html><html lang="zh-Hans"><head><title>预热</title></head><body><p>中文分词</p></body></html>'


def prewarm() -> None:
    """Start Pagefind now, in the background, for an index later in this process.

    Most of a cold Pagefind run (≈ 0.19 s of ≈ 0.22 s) is the binary loading its
    Chinese dictionary; started at the beginning of a build, that happens on
    another core while the TEI is made, and the site's index then takes ≈ 0.04 s.
    """
    keep_warm()
    if _warm is not None and _warm.service_pid is None:
        threading.Thread(target=_warm.warm_up, name="pagefind-warm-up", daemon=True).start()


def keep_warm(enabled: bool = True) -> None:
    """From now on, index through one Pagefind service kept alive for this process.

    For long-lived processes that build again and again (`edition watch`); the
    service is shut down at exit, or here with `keep_warm(False)`.
    """
    global _warm
    if enabled and _warm is None:
        _warm = WarmSearchIndexer()
        atexit.register(close_at_exit, _warm)
    elif not enabled and _warm is not None:
        atexit.unregister(close_at_exit)
        _warm.close()
        _warm = None


def close_at_exit(indexer: WarmSearchIndexer) -> None:
    """At exit a Ctrl-C has nothing left to stop but this clean-up: let it finish
    (Python would print the interrupt's traceback and leave the service running)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    indexer.close()
