"""The `edition` command as an editor meets it: clear messages, documented exit codes, no tracebacks,
and a failed build never replaces a good output."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import BOOK, run_edition


def book_folder(tmp_path: Path, text: bytes | None = None) -> Path:
    """A copy of input/ (book and the editor's data files) with the book's bytes replaced."""
    folder = tmp_path / "input"
    shutil.copytree(BOOK.parent, folder)
    (folder / "book.txt").write_bytes(BOOK.read_bytes() if text is None else text)
    return folder / "book.txt"


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"\x00\x01binary\x00" * 100, "binary"),
])
def test_cli_bad_input_exits_3_with_a_message(tmp_path: Path, data: bytes, message: str) -> None:
    source = book_folder(tmp_path, data)
    proc = run_edition("build", str(source), "--out", str(tmp_path / "out"), "--format", "tei")
    assert proc.returncode == 3
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "book.xml").exists()


def test_cli_missing_file_exits_3(tmp_path: Path) -> None:
    proc = run_edition("build", str(tmp_path / "nothing.txt"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 3 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_gbk_book_builds_the_same_tei(tmp_path: Path, book_build: Path) -> None:
    source = book_folder(tmp_path, BOOK.read_text(encoding="utf-8").encode("gb18030"))
    out = tmp_path / "out"
    run_edition("build", str(source), "--out", str(out), "--format", "tei", check=True)
    ours, utf8 = (out / "book.xml").read_text(encoding="utf-8"), (book_build / "book.xml").read_text(encoding="utf-8")
    strip_hash = lambda s: s.split("sha256")[0] + s.split("…）生成")[1]  # the source bytes differ
    assert strip_hash(ours) == strip_hash(utf8)


@pytest.mark.parametrize("edit,code,line", [
    (lambda t: t.replace("《华盛顿邮报》载文", "《华盛顿邮报载文"), "W040", 82),
    (lambda t: t.replace("我们为建设更安全的世界", "我们^③为建设更安全的世界"), "W010", 72),
    (lambda t: t[: t.index("一个个难题陆续被克服")], "W031", None),
])
def test_cli_damaged_text_builds_with_a_located_warning(tmp_path: Path, edit, code: str, line: int | None) -> None:
    source = book_folder(tmp_path, edit(BOOK.read_text(encoding="utf-8")).encode("utf-8"))
    proc = run_edition("build", str(source), "--out", str(tmp_path / "out"), "--format", "tei")
    assert proc.returncode == 0, proc.stderr
    located = [ln for ln in proc.stderr.splitlines() if ln.startswith(code)]
    assert located, proc.stderr
    if line:
        assert f"book.txt:{line} " in located[0]
    strict = run_edition("build", str(source), "--out", str(tmp_path / "out"), "--format", "tei", "--strict")
    assert strict.returncode == 5


def test_cli_invalid_tei_keeps_the_previous_output(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    out = tmp_path / "out"
    run_edition("build", str(source), "--out", str(out), "--format", "tei", check=True)
    good = (out / "book.xml").read_bytes()
    # Editor's files are checked before they are used, so few mistakes reach the TEI; one that
    # does: a register entry whose id the text's 目录 already has (a duplicate xml:id).
    register = source.parent / "register.toml"
    register.write_text(register.read_text(encoding="utf-8") + '\n[contents]\ntype = "work"\nname = "核裁军"\n',
                        encoding="utf-8")
    proc = run_edition("build", str(source), "--out", str(out), "--format", "tei")
    assert proc.returncode == 1 and "V00" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "book.xml").read_bytes() == good
    assert not [p for p in out.iterdir() if p.name.startswith(".book.xml")]


def test_cli_bad_edition_toml_exits_3(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    (source.parent / "edition.toml").write_text("[edition]\nsubtitle = \n", encoding="utf-8")
    proc = run_edition("build", str(source), "--out", str(tmp_path / "out"), "--format", "tei")
    assert proc.returncode == 3 and "edition.toml" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_report_lists_corrections_with_rule_and_evidence(book_build: Path) -> None:
    proc = run_edition("report", str(BOOK), "--out", str(book_build))
    assert proc.returncode == 0, proc.stderr
    assert "book.txt:163 絮 → 绪  [rule-toc, high]" in proc.stdout
    assert "notes linked: 7" in proc.stdout and "paragraphs re-joined: 9" in proc.stdout


def test_cli_validate_rejects_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'><text/>", encoding="utf-8")
    proc = run_edition("validate", str(bad))
    assert proc.returncode == 1 and "V000" in proc.stderr


def test_cli_batch_builds_the_others_when_one_book_fails(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    (source.parent / "second.txt").write_bytes(source.read_bytes())
    (source.parent / "broken.txt").write_bytes(b"")
    out = tmp_path / "out"
    proc = run_edition("build", str(source), str(source.parent / "broken.txt"), str(source.parent / "second.txt"),
                       "--out", str(out), "--format", "tei")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert (out / "book.xml").exists() and (out / "second.xml").exists() and not (out / "broken.xml").exists()
    assert "2 of 3 books built; failed:" in proc.stdout and "broken.txt" in proc.stdout
    assert "Traceback" not in proc.stderr
    # All three share input/edition.toml, so its identifier: the editor is told.
    assert "W060" in proc.stderr and "book.txt, broken.txt, second.txt have the same identifier" in proc.stderr
    toml = (source.parent / "edition.toml").read_text(encoding="utf-8")
    own = re.sub(r'identifier = "[^"]*"', 'identifier = "urn:uuid:00000000-0000-4000-8000-000000000002"', toml)
    assert own != toml
    (source.parent / "second.edition.toml").write_text(own, encoding="utf-8")
    apart = run_edition("build", str(source), str(source.parent / "second.txt"), "--out", str(out), "--format", "tei")
    assert "W060" not in apart.stderr


def test_cli_rebuilds_only_what_changed(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    out = tmp_path / "out"
    run_edition("build", str(source), "--out", str(out), "--format", "tei", check=True)
    tei_mtime = (out / "book.xml").stat().st_mtime_ns
    again = run_edition("build", str(source), "--out", str(out), "--format", "tei", check=True)
    assert "nothing to rebuild; up to date: tei" in again.stdout
    assert (out / "book.xml").stat().st_mtime_ns == tei_mtime
    annotations = source.parent / "annotations.toml"
    annotations.write_text(annotations.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    edited = run_edition("build", str(source), "--out", str(out), "--format", "tei", check=True)
    assert "nothing to rebuild" not in edited.stdout
    forced = run_edition("build", str(source), "--out", str(out), "--format", "tei", "--force", check=True)
    assert "up to date" not in forced.stdout


def test_cli_watch_rebuilds_after_an_edit(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    source = book_folder(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "watch", str(source), "--out", str(out),
                             "--interval", "0.1", "--builds", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 120
        while not (out / "html" / "book" / "index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        first = (out / "book.xml").read_text(encoding="utf-8")
        source.write_text(source.read_text(encoding="utf-8") + "\n\n新加的一段。\n", encoding="utf-8")
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert stdout.count("book.txt:") == 2
    assert "新加的一段" not in first and "新加的一段" in (out / "book.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("delay", [0.0, 0.15])
def test_cli_watch_stops_at_one_ctrl_c_even_mid_rebuild(tmp_path: Path, delay: float) -> None:
    """Ctrl-C reaches the whole process group, as at a terminal: watch ends (130 mid-rebuild,
    0 between rebuilds), without a traceback, and its Pagefind service ends with it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    source = book_folder(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "watch", str(source), "--out", str(out),
                             "--interval", "0.05"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parent.parent, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / "html" / "book" / "index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        source.write_text(source.read_text(encoding="utf-8") + "\n\n中断监视的一段。\n", encoding="utf-8")
        time.sleep(delay)
        services = children_running(proc.pid, "pagefind")
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode in (0, 130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr
    assert services, "watch should keep a Pagefind service"
    time.sleep(0.5)
    assert not [pid for pid in services if Path(f"/proc/{pid}").exists()], "a Pagefind service outlived watch"


def children_running(parent: int, name: str) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if int(fields[1].split()[1]) == parent and name in fields[0]:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("moment", [0.5, 0.75, 0.95])
def test_cli_interrupted_build_leaves_whole_outputs(tmp_path: Path, moment: float) -> None:
    """Ctrl-C at any moment: each output is the old one or the new one, whole; no temporary files remain.

    The moment is a share of how long the same build takes here and now, so that the
    interrupt lands inside the build however fast or loaded the machine is.
    """
    import signal
    import subprocess
    import sys
    import time

    from lxml import etree

    source = book_folder(tmp_path)
    out = tmp_path / "out"
    run_edition("build", str(source), "--out", str(out), check=True)
    command = [sys.executable, "-m", "pipeline.cli", "build", str(source), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run([*command, "--force"], cwd=Path(__file__).parent.parent, capture_output=True, check=True)
    duration = time.perf_counter() - started
    old = (out / "book.xml").read_bytes()
    source.write_text(source.read_text(encoding="utf-8") + "\n\n中断测试的一段。\n", encoding="utf-8")
    proc = subprocess.Popen(command, cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(moment * duration)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    # 130, or killed by the signal itself when it lands while Python shuts down: a shell shows
    # both as $? = 130.
    assert proc.returncode in (0, 130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr
    tei = (out / "book.xml").read_bytes()
    assert tei == old or "中断测试的一段" in "".join(etree.fromstring(tei).itertext())
    assert (out / "html" / "book" / "index.html").exists() and (out / "book.epub").exists()
    leftovers = [p for p in out.rglob(".*") if p.name != ".book.fingerprints.json"]
    assert not leftovers, leftovers


def test_ctrl_c_during_the_site_swap_waits_for_its_end_with_other_threads_alive() -> None:
    """The swap's two renames are not split by Ctrl-C, even when another thread
    (the search service's warm-up) could receive the signal."""
    import os
    import signal
    import threading
    import time

    from pipeline.html import interrupts_deferred

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    steps: list[str] = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.1)  # Python runs its handlers here, in the main thread
                steps.append("second rename")
            steps.append("after the swap")
    finally:
        stop.set()
    assert steps == ["second rename"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_cli_render_renders_a_valid_tei_and_refuses_others(tmp_path: Path) -> None:
    """`edition render` makes EPUB + HTML from a TEI of the edition's shape; a broken or
    foreign-shaped file is refused with the validator's messages, and nothing is written."""
    source = book_folder(tmp_path)
    run_edition("build", str(source), "--out", str(tmp_path / "built"), "--format", "tei", check=True)
    tei = (tmp_path / "built" / "book.xml").read_bytes()
    good = tmp_path / "good" / "book.xml"
    good.parent.mkdir()
    good.write_bytes(tei)
    done = run_edition("render", str(good), check=True)
    assert (good.parent / "book.epub").is_file() and (good.parent / "html" / "book" / "index.html").is_file()
    assert "Traceback" not in done.stderr
    from lxml import etree

    root = etree.fromstring(tei)
    source_desc = root.find(".//{http://www.tei-c.org/ns/1.0}sourceDesc")
    source_desc.getparent().remove(source_desc)
    cases = {"broken": tei[: len(tei) // 2], "no-source": etree.tostring(root, encoding="utf-8")}
    for name, data in cases.items():
        path = tmp_path / name / "book.xml"
        path.parent.mkdir()
        path.write_bytes(data)
        proc = run_edition("render", str(path))
        assert proc.returncode == 1, (name, proc.stderr)
        assert "V00" in proc.stderr and "nothing rendered" in proc.stderr and "Traceback" not in proc.stderr
        assert sorted(p.name for p in path.parent.iterdir()) == ["book.xml"], name
    # libxml2 says "Expecting an element , got nothing"; the editor is told where and what.
    assert "<fileDesc>: a required child element is missing" in proc.stderr


def test_cli_an_output_folder_that_cannot_be_written_exits_73(tmp_path: Path) -> None:
    source = book_folder(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    proc = run_edition("build", str(source), "--out", str(blocker / "out"), "--format", "tei")
    assert proc.returncode == 73, proc.stderr
    assert "cannot write the outputs to" in proc.stderr and "Traceback" not in proc.stderr
