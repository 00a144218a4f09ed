"""The `edition` command's front door, and the build server behind it.

A new Python process pays ≈ 0.3 s before it builds anything: the interpreter,
lxml, jinja2, click, jieba's tables, 80 dataclasses, Pagefind's Chinese
dictionary.  An editor who runs `edition build` again and again pays it every
time.  So, as Gradle's daemon and Bazel's server do, `edition build` hands a
single book's build to a resident server that has paid it once, and starts
one when there is none.  The server serves one build at a time, gets the
client's arguments, working folder, environment and umask with each request,
and sends back its output and exit code; Ctrl-C in the client interrupts the
build in the server.  At most MAX_SERVERS run per user.  It stops by itself EDITION_SERVER_IDLE seconds after
its last build (default 900), or after a build that left it holding more
than EDITION_SERVER_MAX_MB of memory (default 160: the first build of a book
cuts all its text and loads most of jieba's dictionary, ≈ 200 MB; a fresh
server loads only what new text needs), and is never used when
EDITION_SERVER=off or CI=true.  A server only serves the code it was started with: any change
to the pipeline, its schemas, the Python or the installed packages gives
a new server, and the old one is told to stop.

This module runs before anything else in every `edition` command, so it
imports only what the client needs (no click, no pathlib, no dataclasses).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import sys

SERVER_SWITCH = "EDITION_SERVER"          # off: always build in the command's own process
SERVER_DIR = "EDITION_SERVER_DIR"         # where the sockets live (default: per user, private)
SERVER_IDLE = "EDITION_SERVER_IDLE"       # seconds without a request before a server stops
DEFAULT_IDLE = 900.0
SERVER_MAX_MB = "EDITION_SERVER_MAX_MB"   # resident memory after a build above which a server retires
DEFAULT_MAX_MB = 160.0
START_TIMEOUT = 20.0                      # seconds a new server may take to listen
MAX_SERVERS = 3                           # per user: starting one more stops the least recently used
SOCKET_PATH_MAX = 107                     # bytes in an AF_UNIX socket's path (Linux)
# `edition build`'s options that take a value (tests/test_build_server.py keeps this in step with cli.py).
BUILD_OPTIONS_WITH_VALUE = frozenset({"--out", "--format", "--jobs", "-j"})
INTERRUPTED = "error: interrupted; outputs not yet rebuilt are left as they were"
PACKAGE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(os.path.dirname(PACKAGE), "schemas")


def main() -> None:
    """The `edition` console script: `build` goes through the build server when one can serve it."""
    argv = sys.argv[1:]
    if argv[:1] == ["build"] and one_book(argv[1:]) and server_wanted(os.environ):
        try:
            code = build_through_server(argv)
        except KeyboardInterrupt:  # while a server starts: nothing was built yet
            print(INTERRUPTED, file=sys.stderr)
            sys.exit(130)
        if code is not None:
            sys.exit(code)
    from .cli import main as cli_main

    cli_main()


def one_book(args: list[str]) -> bool:
    """At most one SOURCES argument: a series builds in its own processes (the server checks too)."""
    sources, i = 0, 0
    while i < len(args):
        if args[i] == "--":
            return sources + len(args) - i - 1 <= 1
        if not args[i].startswith("-"):
            sources += 1
        elif args[i] in BUILD_OPTIONS_WITH_VALUE:
            i += 1  # its value
        i += 1
    return sources <= 1


def server_wanted(env: dict[str, str] | os._Environ[str]) -> bool:
    switch = env.get(SERVER_SWITCH, "").strip().lower()
    if switch in ("off", "0", "no", "false"):
        return False
    # CI machines build once and go: a server would only outlive the job.
    return switch in ("on", "1", "yes", "true") or env.get("CI", "").lower() not in ("true", "1")


# ---------------------------------------------------------------- where a server lives

def runtime_dir(env: dict[str, str] | os._Environ[str]) -> str:
    """A folder only this user can enter: the socket accepts builds in the user's name."""
    xdg = env.get("XDG_RUNTIME_DIR")
    base = env.get(SERVER_DIR) or (os.path.join(xdg, "edition") if xdg else f"/tmp/edition-{os.getuid()}")
    os.makedirs(base, mode=0o700, exist_ok=True)
    info = os.stat(base)
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{base} is not private to this user")
    return base


def cache_dir(env: dict[str, str] | os._Environ[str], cwd: str) -> str:
    """As pipeline.cache sees it: a server keeps that cache's answers in memory."""
    return os.path.realpath(env.get("EDITION_CACHE_DIR") or os.path.join(cwd, ".cache"))


def code_stamp() -> str:
    """What the server's answers depend on besides the request: the pipeline's files,
    its schemas, the interpreter and the installed packages (pip changes the
    site-packages folder).  Only sizes and modification times: ≈ 1 ms."""
    # The interpreter by its real path and its environment: `python` and `python3` are one.
    parts = [os.path.realpath(sys.executable), sys.prefix, sys.version]
    for root in (PACKAGE, SCHEMAS):
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                info = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}")
    for entry in sys.path:
        if entry.endswith("-packages") and os.path.isdir(entry):
            parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def socket_path(env: dict[str, str] | os._Environ[str], cwd: str, stamp: str) -> str:
    """`<cache>-<code>.sock`: one server per cache folder and version of the code."""
    cache = hashlib.sha256(cache_dir(env, cwd).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    path = os.path.join(runtime_dir(env), f"{cache}-{stamp}.sock")
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:
        raise OSError(f"the socket path {path} is longer than {SOCKET_PATH_MAX} bytes; set a shorter {SERVER_DIR}")
    return path


# ---------------------------------------------------------------- the client

def build_through_server(argv: list[str]) -> int | None:
    """The build's exit code, or None when no server could serve it (the caller builds here)."""
    env, cwd = dict(os.environ), os.getcwd()
    try:
        path = socket_path(env, cwd, code_stamp())
    except OSError as exc:
        print(f"edition: no build server ({exc}); building in this process", file=sys.stderr)
        return None
    umask = os.umask(0o022)
    os.umask(umask)
    request = {"argv": argv, "cwd": cwd, "env": env, "umask": umask,
               "tty": {"stdout": sys.stdout.isatty(), "stderr": sys.stderr.isatty()}}
    conn = connect(path) or start_server(path, env, cache_dir(env, cwd))
    if conn is None:
        return None
    return Exchange(conn).run(request)


def connect(path: str) -> socket.socket | None:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        return conn
    except OSError:
        conn.close()
        return None


def start_server(path: str, env: dict[str, str], cache: str) -> socket.socket | None:
    """Start a server for `path` (one starter at a time) and connect to it; retire the
    servers of the same cache built from older code, and the least recently used
    beyond MAX_SERVERS."""
    import fcntl
    import subprocess
    import time

    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        conn = connect(path)  # another client may have started it meanwhile
        if conn is not None:
            return conn
        others = [p for p in running_servers(os.path.dirname(path)) if p != path]
        cache_key = os.path.basename(path).split("-")[0] + "-"
        older_code = [p for p in others if os.path.basename(p).startswith(cache_key)]
        other_caches = [p for p in others if p not in older_code]
        stop_servers(older_code + least_recently_used(other_caches, keep=MAX_SERVERS - 1))
        with open(log_path(path), "ab") as log:
            server = subprocess.Popen([sys.executable, "-m", "pipeline.build_server", path, cache], cwd="/", env=env,
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and server.poll() is None:  # a server that died says so at once
            conn = connect(path)
            if conn is not None:
                return conn
            time.sleep(0.01)
    print(f"edition: the build server did not start (see {log_path(path)}); building in this process",
          file=sys.stderr)
    return None


def log_path(socket_path: str) -> str:
    return socket_path.removesuffix(".sock") + ".log"


def least_recently_used(sockets: list[str], keep: int) -> list[str]:
    """The servers beyond the `keep` most recently used (a server touches its socket after each build)."""
    def last_use(path: str) -> float:
        try:
            return os.stat(path).st_mtime
        except OSError:
            return 0.0
    return sorted(sockets, key=last_use, reverse=True)[keep:]


class Exchange:
    """One request: send it, relay the server's output, forward Ctrl-C, return the exit code."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.reader = conn.makefile("r", encoding="utf-8", newline="\n")

    def run(self, request: dict[str, object]) -> int | None:
        import signal

        previous = signal.getsignal(signal.SIGINT)
        if previous is not signal.SIG_IGN:  # a caller that ignores Ctrl-C (`edition build &`) keeps doing so
            signal.signal(signal.SIGINT, lambda _signum, _frame: self.interrupt())
        started = False
        try:
            send(self.conn, request)
            for line in self.reader:
                frame = json.loads(line)
                if "started" in frame:
                    started = True
                elif "out" in frame or "err" in frame:
                    stream = sys.stdout if "out" in frame else sys.stderr
                    stream.flush()
                    stream.buffer.write(next(iter(frame.values())).encode("utf-8", "surrogateescape"))
                    stream.buffer.flush()
                elif "exit" in frame:
                    return int(frame["exit"])
                elif "decline" in frame:
                    return None
        except OSError:
            pass
        finally:
            signal.signal(signal.SIGINT, previous)
            self.conn.close()
        # The server went away: before our build (it was retiring), or during it; its outputs
        # are written atomically, so the last good ones are intact.  This process builds instead.
        if started:
            print("edition: the build server stopped during the build; building in this process", file=sys.stderr)
        return None

    def interrupt(self) -> None:
        try:
            send(self.conn, {"interrupt": True})
        except OSError:
            pass


def send(conn: socket.socket, frame: dict[str, object]) -> None:
    # ASCII JSON: an environment may hold undecodable bytes (surrogate escapes).
    conn.sendall(json.dumps(frame).encode("ascii") + b"\n")


def running_servers(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if n.endswith(".sock")]


def ask(path: str, frame: dict[str, object], timeout: float = 5.0) -> dict[str, object] | None:
    """One question to the server at `path` (status, stop); None if nobody answers."""
    conn = connect(path)
    if conn is None:
        return None
    try:
        conn.settimeout(timeout)
        send(conn, frame)
        line = conn.makefile("r", encoding="utf-8").readline()
        return json.loads(line) if line else None
    except (OSError, ValueError):
        return None
    finally:
        conn.close()


def stop_servers(sockets: list[str]) -> list[str]:
    """Tell the servers at `sockets` to stop, without waiting: one that is serving a
    build reads the request after it.  What a server that is gone left behind
    (socket, lock, empty log) is removed.  Returns the sockets that were told."""
    told = []
    for path in sockets:
        conn = connect(path)
        if conn is None:
            remove_leftovers(path)
            continue
        try:
            send(conn, {"stop": True})
            told.append(path)
        except OSError:
            pass
        finally:
            conn.close()
    return told


def remove_leftovers(path: str) -> None:
    for leftover in (path, path + ".lock"):
        try:
            os.unlink(leftover)
        except OSError:
            pass
    try:
        if os.path.getsize(log_path(path)) == 0:
            os.unlink(log_path(path))
    except OSError:
        pass


# ---------------------------------------------------------------- the server

class Relay(io.RawIOBase):
    """The bytes a served build writes to stdout or stderr, sent to the client as they come;
    isatty() answers for the client's terminal."""

    def __init__(self, conn: socket.socket, key: str, tty: bool) -> None:
        super().__init__()
        self.conn, self.key, self.tty = conn, key, tty

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if data:
            try:
                # surrogateescape: a multi-byte character split between writes survives.
                send(self.conn, {self.key: bytes(data).decode("utf-8", "surrogateescape")})
            except OSError:
                pass  # the client is gone: the build still finishes and leaves good outputs
        return len(data)


def relay_stream(conn: socket.socket, key: str, tty: bool) -> io.TextIOWrapper:
    """A real text stream over a Relay (click looks for `.buffer`), for sys.stdout / sys.stderr."""
    return io.TextIOWrapper(io.BufferedWriter(Relay(conn, key, tty)), encoding="utf-8", errors="surrogateescape",
                            line_buffering=True, write_through=True)


class Server:
    """Serves builds one at a time until no build came for `idle` seconds, or told to stop."""

    def __init__(self, path: str, cache: str, idle: float, max_mb: float) -> None:
        self.path, self.cache, self.idle, self.max_mb = path, cache, idle, max_mb
        self.building = False
        self.served = 0  # requests served, also the id of the one being served
        self.stopping = False
        self.last_build = 0.0
        self.inode = 0  # of our socket: a newer server may have replaced it

    def serve_forever(self) -> None:
        import signal
        import time

        signal.signal(signal.SIGINT, self.on_interrupt)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # runs atexit: the Pagefind service stops
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        listener.bind(self.path)
        os.chmod(self.path, 0o600)
        self.inode = os.stat(self.path).st_ino
        self.warm_up()
        listener.listen(16)
        self.last_build = time.monotonic()
        try:
            while not self.stopping:
                # Only builds count as use: `edition server status` does not keep a server alive.
                remaining = self.last_build + self.idle - time.monotonic()
                if remaining <= 0:
                    break
                listener.settimeout(remaining)
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    break
                conn.settimeout(None)
                with conn:
                    try:
                        self.handle(conn)
                    except OSError:
                        pass  # the client went away: nothing to answer
        finally:
            listener.close()
            if self.ours():
                remove_leftovers(self.path)

    def ours(self) -> bool:
        try:
            return os.stat(self.path).st_ino == self.inode
        except OSError:
            return False

    def warm_up(self) -> None:
        """What every build imports, imported once before the first request."""
        import pipeline.annotate  # noqa: F401
        import pipeline.build  # noqa: F401
        import pipeline.cli  # noqa: F401
        import pipeline.epub  # noqa: F401
        import pipeline.html  # noqa: F401
        import pipeline.tei  # noqa: F401
        import pipeline.validate  # noqa: F401
        from pipeline.html_search import keep_warm

        keep_warm()

    def on_interrupt(self, _signum: int, _frame: object) -> None:
        if self.building:  # between builds a late Ctrl-C from a client has nothing to stop
            raise KeyboardInterrupt

    def handle(self, conn: socket.socket) -> None:
        import time

        reader = conn.makefile("r", encoding="utf-8", newline="\n")
        try:
            request = json.loads(reader.readline() or "{}")
        except ValueError:
            return
        if "stop" in request or "status" in request:
            self.stopping = self.stopping or "stop" in request
            send(conn, {"pid": os.getpid(), "served": self.served, "cache": self.cache,
                        "idle_s": round(time.monotonic() - self.last_build), **usage()})
            return
        if not serves(request.get("argv", [])):
            send(conn, {"decline": "only a single book's build is served"})
            return
        send(conn, {"started": True})
        code = self.build(conn, reader, request)
        self.served += 1
        self.last_build = time.monotonic()
        if self.ours():
            os.utime(self.path)  # last use, for least_recently_used()
        # Retiring is cheaper than holding the memory: the next build starts a lean server.
        self.stopping = self.stopping or resident_mb() > self.max_mb
        try:
            send(conn, {"exit": code})
        except OSError:
            pass

    def build(self, conn: socket.socket, reader: object, request: dict) -> int:
        import threading

        stdout, stderr = sys.stdout, sys.stderr
        tty = request.get("tty", {})
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        umask = os.umask(int(request.get("umask", 0o022)))  # files are made as the client would make them
        sys.stdout = relay_stream(conn, "out", bool(tty.get("stdout")))
        sys.stderr = relay_stream(conn, "err", bool(tty.get("stderr")))
        threading.Thread(target=self.watch_client, args=(reader, self.served), daemon=True).start()
        self.building = True
        try:
            return run_cli(request["argv"])
        except KeyboardInterrupt:
            return 130
        finally:
            self.building = False
            for relay in (sys.stdout, sys.stderr):
                relay.flush()
            sys.stdout, sys.stderr = stdout, stderr
            os.umask(umask)
            os.chdir("/")

    def watch_client(self, reader: object, request_id: int) -> None:
        """Ctrl-C in the client, or the client gone: interrupt the build as Ctrl-C would."""
        import signal

        try:
            line = reader.readline()  # type: ignore[attr-defined]
        except (OSError, ValueError):
            line = ""
        # The id: this thread may outlive its request and must not stop the next one.
        if self.building and self.served == request_id and (not line or "interrupt" in line):
            signal.pthread_kill(main_thread_id(), signal.SIGINT)


def main_thread_id() -> int:
    import threading

    return threading.main_thread().ident or 0


def serves(argv: list[str]) -> bool:
    """A single book's `build`: a series builds in its own processes, as before."""
    from pipeline.cli import build

    if argv[:1] != ["build"]:
        return False
    try:
        ctx = build.make_context("build", list(argv[1:]), resilient_parsing=True)
    except Exception:  # noqa: BLE001 - anything unusual is left to the command's own process
        return False
    return len(ctx.params.get("sources") or ()) <= 1


def run_cli(argv: list[str]) -> int:
    """The `edition` command in this process, as its console script would run it."""
    import traceback

    from pipeline.cli import main as cli_main

    try:
        cli_main.main(args=list(argv), prog_name="edition", standalone_mode=True)
        return 0
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001 - what the interpreter would print, then exit 1
        traceback.print_exc(file=sys.stderr)
        return 1


def usage() -> dict[str, float]:
    """The server's own peak memory and CPU time so far: a benchmark of served builds
    must count the server's work, not only the client's."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_kb": own.ru_maxrss, "cpu_s": round(own.ru_utime + own.ru_stime, 4)}


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def setting(env: dict[str, str] | os._Environ[str], name: str, default: float) -> float:
    try:
        return max(0.1, float(env.get(name, default)))
    except ValueError:
        return default


if __name__ == "__main__":
    # The settings are those of the build that started the server.
    Server(sys.argv[1], sys.argv[2], setting(os.environ, SERVER_IDLE, DEFAULT_IDLE),
           setting(os.environ, SERVER_MAX_MB, DEFAULT_MAX_MB)).serve_forever()
