"""The build server behind `edition build`: the same outputs, messages and exit codes as a
build in the command's own process, the client's environment with each request, Ctrl-C
passed on, and no server left behind (idle timeout, `edition server stop`, newer code)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BOOK, ROOT
from lxml import etree

from pipeline import build_server

EDITION = Path(sys.executable).with_name("edition")  # the console script an editor runs


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """A private folder for this test's servers (short: a socket's path has ≤ 107 bytes);
    every server started in it is stopped, and must be gone, at the end."""
    folder = Path(tempfile.mkdtemp(prefix="ed-srv-", dir="/tmp"))
    try:
        yield folder
    finally:
        env = {**os.environ, "EDITION_SERVER_DIR": str(folder)}
        subprocess.run([str(EDITION), "server", "stop"], env=env, capture_output=True, check=False)
        deadline = time.monotonic() + 10
        while server_pids(folder) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = server_pids(folder)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
        assert not left, f"build servers still running after the test: {left}"


def server_pids(folder: Path) -> list[int]:
    """Processes serving a socket in `folder` (their command line names its path)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"pipeline.build_server" in args and any(a.startswith(str(folder).encode()) for a in args):
            pids.append(int(cmdline.parent.name))
    return pids


def book_copy(tmp_path: Path, text: str | None = None) -> Path:
    folder = tmp_path / "input"
    shutil.copytree(BOOK.parent, folder)
    if text is not None:
        (folder / "book.txt").write_text(text, encoding="utf-8")
    return folder / "book.txt"


def client_env(server_dir: Path, cache: Path, server: str = "on", **env: str) -> dict[str, str]:
    # A first build leaves a server with more memory than it keeps (it retires, tested below):
    # here it stays, so that a test can follow one server through several builds.
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "EDITION_SERVER": server,
                "EDITION_SERVER_DIR": str(server_dir), "EDITION_CACHE_DIR": str(cache),
                "EDITION_SERVER_MAX_MB": "100000", **env}
    full_env.pop("CI", None)
    return full_env


def edition(*args: str, server_dir: Path, cache: Path, server: str = "on",
            **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EDITION), *args], cwd=ROOT, env=client_env(server_dir, cache, server, **env),
                          capture_output=True, text=True, check=False)


def warm_big_book(tmp_path: Path, server_dir: Path) -> tuple[Path, Path, Path, float]:
    """Five times the book, served twice: (source, cache, out, seconds of a forced served build),
    a build long enough for a signal to land inside it."""
    source, cache, out = book_copy(tmp_path, BOOK.read_text(encoding="utf-8") * 5), tmp_path / "cache", tmp_path / "out"
    assert edition("build", str(source), "--out", str(out), server_dir=server_dir, cache=cache).returncode == 0
    started = time.perf_counter()
    assert edition("build", str(source), "--out", str(out), "--force", server_dir=server_dir,
                   cache=cache).returncode == 0
    return source, cache, out, time.perf_counter() - started


def status(server_dir: Path, cache: Path) -> str:
    return edition("server", "status", server_dir=server_dir, cache=cache).stdout


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "reports" not in p.parts and not p.name.startswith(".")}


def test_a_served_build_writes_what_a_build_in_its_own_process_writes(tmp_path: Path, server_dir: Path) -> None:
    source, cache = book_copy(tmp_path), tmp_path / "cache"
    served = edition("build", str(source), "--out", str(tmp_path / "a"), server_dir=server_dir, cache=cache)
    alone = edition("build", str(source), "--out", str(tmp_path / "b"), server_dir=server_dir, cache=cache,
                    server="off")
    assert served.returncode == alone.returncode == 0, served.stderr
    assert served.stderr == alone.stderr
    assert served.stdout.replace(str(tmp_path / "a"), "OUT") == alone.stdout.replace(str(tmp_path / "b"), "OUT")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 10
    assert [name for name in a if a[name] != b[name]] == []
    assert "1 builds served" in status(server_dir, cache)


def test_the_next_build_after_an_edit_is_served_by_the_same_warm_server(tmp_path: Path, server_dir: Path) -> None:
    source, cache, out = book_copy(tmp_path), tmp_path / "cache", tmp_path / "out"
    assert edition("build", str(source), "--out", str(out), server_dir=server_dir, cache=cache).returncode == 0
    first = status(server_dir, cache)
    source.write_text(source.read_text(encoding="utf-8") + "\n\n服务器重建的一段。\n", encoding="utf-8")
    again = edition("build", str(source), "--out", str(out), "--timings", server_dir=server_dir, cache=cache)
    assert again.returncode == 0, again.stderr
    assert "服务器重建的一段" in (out / "book.xml").read_text(encoding="utf-8")
    assert "annotate" in again.stdout  # --timings came through
    pid = first.split("pid ")[1].split(",")[0]
    assert f"pid {pid}, 2 builds served" in status(server_dir, cache)


@pytest.mark.parametrize("case", ["missing", "binary", "strict"])
def test_exit_codes_and_messages_are_the_same_through_the_server(tmp_path: Path, server_dir: Path,
                                                                 case: str) -> None:
    cache = tmp_path / "cache"
    if case == "missing":
        args = ["build", str(tmp_path / "nothing.txt")]
    elif case == "binary":
        source = book_copy(tmp_path)
        source.write_bytes(b"\x00\x01binary\x00" * 100)
        args = ["build", str(source)]
    else:
        args = ["build", str(book_copy(tmp_path)), "--strict", "--format", "tei"]
    results = [edition(*args, "--out", str(tmp_path / mode), server_dir=server_dir, cache=cache, server=mode)
               for mode in ("on", "off")]
    served, alone = results
    assert served.returncode == alone.returncode != 0
    assert served.stderr.replace(str(tmp_path / "on"), "OUT") == alone.stderr.replace(str(tmp_path / "off"), "OUT")
    assert "Traceback" not in served.stderr
    assert "1 builds served" in status(server_dir, cache)


def test_each_request_brings_its_own_environment(tmp_path: Path, server_dir: Path) -> None:
    """SOURCE_DATE_EPOCH is read per build: the same server dates two builds differently."""
    source, cache = book_copy(tmp_path), tmp_path / "cache"
    for epoch, out in (("1700000000", "a"), ("1600000000", "b")):
        proc = edition("build", str(source), "--out", str(tmp_path / out), "--format", "tei",
                       server_dir=server_dir, cache=cache, SOURCE_DATE_EPOCH=epoch)
        assert proc.returncode == 0, proc.stderr
    assert 'when="2023-11-14"' in (tmp_path / "a" / "book.xml").read_text(encoding="utf-8")
    assert 'when="2020-09-13"' in (tmp_path / "b" / "book.xml").read_text(encoding="utf-8")
    assert "2 builds served" in status(server_dir, cache)


def test_ctrl_c_in_the_client_interrupts_the_served_build_and_the_server_lives_on(tmp_path: Path,
                                                                                   server_dir: Path) -> None:
    source, cache, out, duration = warm_big_book(tmp_path, server_dir)
    old = (out / "book.xml").read_bytes()
    source.write_text(source.read_text(encoding="utf-8") + "\n\n中断测试的一段。\n", encoding="utf-8")
    proc = subprocess.Popen([str(EDITION), "build", str(source), "--out", str(out)], cwd=ROOT,
                            env=client_env(server_dir, cache),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.4 * duration)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted; outputs not yet rebuilt are left as they were" in stderr and "Traceback" not in stderr
    tei = (out / "book.xml").read_bytes()  # the old one, or the new one whole (the TEI is written first)
    assert tei == old or "中断测试的一段" in "".join(etree.fromstring(tei).itertext())
    assert (out / "book.epub").is_file() and (out / "html" / "book" / "index.html").is_file()
    assert not [p for p in out.rglob(".*") if p.name != ".book.fingerprints.json"]  # no temporary files
    assert "3 builds served" in status(server_dir, cache)  # the same server (the interrupted build counts)
    after = edition("build", str(source), "--out", str(out), server_dir=server_dir, cache=cache)
    assert after.returncode == 0, after.stderr
    assert "中断测试的一段" in "".join(etree.parse(str(out / "book.xml")).getroot().itertext())


def test_an_idle_server_stops_by_itself(tmp_path: Path, server_dir: Path) -> None:
    source, cache = book_copy(tmp_path), tmp_path / "cache"
    proc = edition("build", str(source), "--out", str(tmp_path / "out"), "--format", "tei",
                   server_dir=server_dir, cache=cache, EDITION_SERVER_IDLE="1")
    assert proc.returncode == 0, proc.stderr
    assert server_pids(server_dir)
    deadline = time.monotonic() + 15
    while server_pids(server_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server_pids(server_dir)
    assert not list(server_dir.iterdir())  # no socket, lock or (empty) log left


def test_a_server_that_holds_too_much_memory_after_a_build_retires(tmp_path: Path, server_dir: Path) -> None:
    source, cache, out = book_copy(tmp_path), tmp_path / "cache", tmp_path / "out"
    first = edition("build", str(source), "--out", str(out), "--format", "tei", server_dir=server_dir,
                    cache=cache, EDITION_SERVER_MAX_MB="1")
    assert first.returncode == 0, first.stderr
    deadline = time.monotonic() + 10
    while server_pids(server_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server_pids(server_dir)
    again = edition("build", str(source), "--out", str(out), "--format", "tei", "--force", server_dir=server_dir,
                    cache=cache)
    assert again.returncode == 0, again.stderr
    assert "1 builds served" in status(server_dir, cache)  # a new server


@pytest.mark.parametrize("env", [{"CI": "true"}, {"EDITION_SERVER": "off"}])
def test_no_server_under_ci_or_when_switched_off(tmp_path: Path, server_dir: Path, env: dict[str, str]) -> None:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "EDITION_SERVER_DIR": str(server_dir),
                "EDITION_CACHE_DIR": str(tmp_path / "cache"), **env}
    full_env.pop("EDITION_SERVER", None) if "CI" in env else full_env.pop("CI", None)
    proc = subprocess.run([str(EDITION), "build", str(book_copy(tmp_path)), "--out", str(tmp_path / "out"),
                           "--format", "tei"], cwd=ROOT, env=full_env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "book.xml").exists()
    assert not server_pids(server_dir) and not list(server_dir.glob("*.sock"))


def test_a_series_is_built_in_its_own_processes_not_served(tmp_path: Path, server_dir: Path) -> None:
    source, cache = book_copy(tmp_path), tmp_path / "cache"
    second = source.with_name("second.txt")
    shutil.copy(source, second)
    proc = edition("build", str(source), str(second), "--out", str(tmp_path / "out"), "--format", "tei",
                   "--jobs", "2", server_dir=server_dir, cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "2 of 2 books built" in proc.stdout
    assert not server_pids(server_dir)  # not even started


@pytest.mark.parametrize("args,one", [
    (["input/book.txt"], True), ([], True), (["--out", "o", "a.txt"], True), (["a.txt", "--format", "tei"], True),
    (["a.txt", "b.txt"], False), (["-j", "2", "a.txt"], True), (["-j2", "a.txt", "b.txt"], False),
    (["--out=o", "a.txt"], True), (["--", "-a.txt", "b.txt"], False), (["--force", "--timings", "a.txt"], True),
])
def test_the_client_tells_a_single_book_from_a_series(args: list[str], one: bool) -> None:
    assert build_server.one_book(args) is one


def test_the_clients_list_of_options_with_a_value_is_the_commands() -> None:
    from pipeline.cli import build

    with_value = {name for param in build.params if param.param_type_name == "option" and not param.is_flag
                  for name in param.opts}
    assert with_value == build_server.BUILD_OPTIONS_WITH_VALUE


def test_newer_code_gets_a_new_server_and_the_old_one_is_told_to_stop(tmp_path: Path, server_dir: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capfd: pytest.CaptureFixture[str]) -> None:
    """The code stamp is part of the socket's name; a client with a new stamp retires the old server."""
    source = book_copy(tmp_path)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("EDITION_SERVER_DIR", str(server_dir))
    monkeypatch.setenv("EDITION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("EDITION_SERVER_MAX_MB", "100000")
    argv = ["build", str(source), "--out", str(tmp_path / "out"), "--format", "tei"]
    monkeypatch.setattr(build_server, "code_stamp", lambda: "old0old0old0old0")
    assert build_server.build_through_server(argv) == 0
    old = server_pids(server_dir)
    assert len(old) == 1
    monkeypatch.setattr(build_server, "code_stamp", lambda: "new0new0new0new0")
    assert build_server.build_through_server(argv) == 0
    deadline = time.monotonic() + 10
    while old[0] in server_pids(server_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    now = server_pids(server_dir)
    assert old[0] not in now and len(now) == 1
    assert [p.name.split("-")[1] for p in server_dir.glob("*.sock")] == ["new0new0new0new0.sock"]
    capfd.readouterr()


def test_the_code_stamp_follows_the_pipeline_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pipeline"
    package.mkdir()
    (package / "stage.py").write_text("X = 1\n")
    monkeypatch.setattr(build_server, "PACKAGE", str(package))
    monkeypatch.setattr(build_server, "SCHEMAS", str(tmp_path / "schemas"))
    before = build_server.code_stamp()
    assert build_server.code_stamp() == before
    (package / "stage.py").write_text("X = 22\n")
    assert build_server.code_stamp() != before


def test_the_server_folder_must_be_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(PermissionError):
        build_server.runtime_dir({"EDITION_SERVER_DIR": str(shared)})


def test_python_and_python3_of_one_environment_share_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bench runs `.venv/bin/python`, the console script `.venv/bin/python3`: one interpreter."""
    names = [Path(sys.executable).with_name(n) for n in ("python", "python3")]
    if not all(n.exists() for n in names):
        pytest.fail(f"expected both {names} in the environment")
    stamps = set()
    for name in names:
        monkeypatch.setattr(sys, "executable", str(name))
        stamps.add(build_server.code_stamp())
    assert len(stamps) == 1


def test_two_builds_at_once_are_both_served_from_their_own_folders(tmp_path: Path, server_dir: Path) -> None:
    """Relative paths mean the client's folder; a second build waits for the first, then is served."""
    cache = tmp_path / "cache"
    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        book_copy(folder)
        folders.append(folder)
    env = client_env(server_dir, cache)
    edition("build", str(book_copy(tmp_path / "warm")), "--out", str(tmp_path / "warm-out"), "--format", "tei",
            server_dir=server_dir, cache=cache)  # the server is up before the two start
    procs = [subprocess.Popen([str(EDITION), "build", "input/book.txt", "--out", "out"], cwd=folder, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for folder in folders]
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
    for folder in folders:
        assert (folder / "out" / "book.xml").is_file() and (folder / "out" / "html" / "book" / "index.html").is_file()
    assert (folders[0] / "out" / "book.xml").read_bytes() == (folders[1] / "out" / "book.xml").read_bytes()
    assert "3 builds served" in status(server_dir, cache)


def test_a_server_that_dies_at_start_is_not_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ed-srv-", dir="/tmp"))
    try:
        monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, as a server that crashes would
        started = time.monotonic()
        assert build_server.start_server(str(folder / "x-y.sock"), dict(os.environ), str(tmp_path)) is None
        assert time.monotonic() - started < 5
        assert "did not start" in capsys.readouterr().err
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_files_are_made_with_the_clients_umask(tmp_path: Path, server_dir: Path) -> None:
    """Served or not, the same permissions: the server takes the client's umask for each build."""
    source, cache = book_copy(tmp_path), tmp_path / "cache"
    modes = {}
    for umask in (0o022, 0o077, 0o002):
        for server in ("on", "off"):
            out = tmp_path / f"{server}-{umask:o}"
            subprocess.run([str(EDITION), "build", str(source), "--out", str(out)], cwd=ROOT,
                           env=client_env(server_dir, cache, server), check=True, capture_output=True,
                           preexec_fn=lambda m=umask: os.umask(m))
            modes[(server, umask)] = {p.relative_to(out): p.stat().st_mode & 0o777 for p in out.rglob("*")}
        assert modes[("on", umask)] == modes[("off", umask)]
    assert modes[("on", 0o077)][Path("reports")] == 0o700 and modes[("on", 0o022)][Path("reports")] == 0o755
    assert "3 builds served" in status(server_dir, cache)


def test_asking_for_the_status_does_not_keep_an_idle_server_alive(tmp_path: Path, server_dir: Path) -> None:
    source, cache = book_copy(tmp_path), tmp_path / "cache"
    assert edition("build", str(source), "--out", str(tmp_path / "out"), "--format", "tei", server_dir=server_dir,
                   cache=cache, EDITION_SERVER_IDLE="2").returncode == 0
    deadline = time.monotonic() + 15
    while server_pids(server_dir) and time.monotonic() < deadline:
        status(server_dir, cache)
        time.sleep(0.3)
    assert not server_pids(server_dir)


def test_starting_one_server_too_many_stops_the_least_recently_used(tmp_path: Path, server_dir: Path) -> None:
    source = book_copy(tmp_path)
    for k in range(build_server.MAX_SERVERS + 1):  # one cache folder each: one server each
        proc = edition("build", str(source), "--out", str(tmp_path / f"out{k}"), "--format", "tei",
                       server_dir=server_dir, cache=tmp_path / f"cache{k}")
        assert proc.returncode == 0, proc.stderr
        time.sleep(0.05)  # distinct last-use times
    deadline = time.monotonic() + 10
    while len(server_pids(server_dir)) > build_server.MAX_SERVERS and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server_pids(server_dir)) == build_server.MAX_SERVERS
    assert f"cache {tmp_path / 'cache0'}," not in status(server_dir, tmp_path / "cache0")


def test_a_server_killed_mid_build_is_reported_and_the_build_done_here(tmp_path: Path, server_dir: Path) -> None:
    source, cache, out, duration = warm_big_book(tmp_path, server_dir)
    [pid] = server_pids(server_dir)
    proc = subprocess.Popen([str(EDITION), "build", str(source), "--out", str(out), "--force"], cwd=ROOT,
                            env=client_env(server_dir, cache),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5 * duration)
    os.kill(pid, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "the build server stopped during the build; building in this process" in stderr
    assert "book.txt: " in stdout and (out / "html" / "book" / "index.html").is_file()
