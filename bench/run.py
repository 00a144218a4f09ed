"""Benchmark: the whole build (TEI + EPUB + HTML) on the book and on books 5× and 20× its size,
against the tools a user would otherwise reach for (Calibre's ebook-convert, pandoc) on the same text.

    .venv/bin/python bench/run.py            # full run (≈ 2–4 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # fewer repetitions
    .venv/bin/python bench/run.py --profile  # also cProfile one build of the book
    .venv/bin/python bench/run.py --check    # exit 1 when a target is missed

Every build is the real `edition build` command, as an editor runs it: served by its build
server (pipeline/build_server.py), which the first build of each book starts; CPU time and
peak memory are the client's plus the server's (asked before and after each build).  The
same rebuilds are also timed with EDITION_SERVER=off, each in a process of its own (wall,
CPU, ru_maxrss from wait4).  Per-stage times are the build's own (`--timings`).
Peers run interleaved with our builds so that load on a shared machine hits both alike.
Prints PASS/FAIL per target and a Markdown table; writes bench/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))

from books import make_book, markdown_of

from pipeline.build_server import ask, code_stamp, running_servers, socket_path, stop_servers

BOOK = ROOT / "input" / "book.txt"
RESULTS = BENCH / "results.json"
SIZES = (1, 5, 20)
MB = 1_000_000  # decimal megabytes: the stricter reading of "300 MB"
PEERS = {"calibre": "ebook-convert", "pandoc": "pandoc"}

# The command an editor runs (`make edition` runs it too); --timings prints the stages.
EDITION = ROOT / ".venv" / "bin" / "edition"
# The bench's build servers: a short path (a socket's has ≤ 107 bytes), made by the first client.
SERVERS = Path(f"/tmp/ed-bench-{os.getpid()}")
STAGE = re.compile(r"([a-z]+) ([0-9.]+)s")


def stage_timings(stdout: str) -> dict[str, float]:
    if "up to date:" in stdout:
        sys.exit(f"the build skipped outputs: the bench's edit did not reach the build\n{stdout}")
    return {name: float(sec) for name, sec in STAGE.findall(stdout.strip().splitlines()[-1])}


# `edition watch`: one warm process; an edit, then a rebuild, timed inside the process.
WATCH_CHILD = """
import json, re, sys, time
from pathlib import Path
from pipeline.build import BuildConfig, build
from pipeline.html_search import keep_warm
keep_warm()  # as `edition watch` does
book, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
build(BuildConfig.beside(book, out))
rows = []
for k in range(n):
    text = re.sub(r"\\n*(本次热?修订第\\d+稿。\\n)?\\Z", "", book.read_text(encoding="utf-8"))
    book.write_text(text + f"\\n\\n本次热修订第{k}稿。\\n", encoding="utf-8")
    wall, cpu = time.perf_counter(), time.process_time()
    result = build(BuildConfig.beside(book, out))
    if result.skipped:
        sys.exit(f"build skipped {result.skipped}")
    rows.append({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "stages": result.timings})
print(json.dumps(rows))
"""

PROFILE_CHILD = """
import cProfile, pstats, sys
from pathlib import Path
from pipeline.build import BuildConfig, build
cfg = BuildConfig.beside(Path(sys.argv[1]), Path(sys.argv[2]))
prof = cProfile.Profile()
prof.enable()
build(cfg)
prof.disable()
pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
pstats.Stats(prof).sort_stats("tottime").print_stats(20)
"""


@dataclass
class Run:
    wall: float
    cpu: float | None  # None: not known (a server that retired after the build)
    max_rss: int | None  # bytes
    stages: dict[str, float] = field(default_factory=dict)


@dataclass
class Series:
    tool: str
    size: int
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float | None:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else None

    def peak(self) -> float | None:
        values = [r.max_rss for r in self.runs if r.max_rss is not None]
        return round(max(values) / MB, 1) if values else None

    def stage_medians(self) -> dict[str, float]:
        names = self.runs[0].stages.keys() if self.runs else []
        return {n: round(statistics.median(r.stages.get(n, 0.0) for r in self.runs), 4) for n in names}


# ---------------------------------------------------------------- measuring

def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[Run, str]:
    """Run `cmd` to completion; its own wall, CPU and peak RSS (wait4 gives the child's rusage alone)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return Run(round(wall, 4), round(usage.ru_utime + usage.ru_stime, 4), usage.ru_maxrss * 1024), stdout


def build_env(cache: Path, server: bool = True) -> dict[str, str]:
    """As `make edition` runs it, with a fixed build date and a cache of the bench's own: jieba's
    dictionary cache and the per-book memo of its answers start empty, so no earlier run helps.
    The bench's build servers live in a folder of its own, stopped at the end."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "EDITION_CACHE_DIR": str(cache),
           "EDITION_SERVER": "on" if server else "off", "EDITION_SERVER_DIR": str(SERVERS)}
    env.pop("CI", None)
    return env


def server_usage(env: dict[str, str]) -> tuple[float, int] | None:
    """CPU seconds and peak memory (bytes) so far of the server that serves builds in `env`."""
    answer = ask(socket_path(env, str(ROOT), code_stamp()), {"status": True})
    if answer is None:
        return None
    return float(answer["cpu_s"]), int(answer["peak_rss_kb"]) * 1024


def ours(book: Path, out: Path, server: bool = True) -> Run:
    """One `edition build`; served, the server's CPU time and memory count too."""
    env = build_env(book.parent / "cache", server)
    before = server_usage(env) if server else None
    run, stdout = measure([str(EDITION), "build", str(book), "--out", str(out), "--timings"], ROOT, env)
    if server:
        after = server_usage(env)
        if after is None:  # the server retired after the build (EDITION_SERVER_MAX_MB): its figures went with it
            run.cpu, run.max_rss = None, None
        else:
            run.cpu = round(run.cpu + after[0] - (before[0] if before else 0.0), 4)
            run.max_rss = max(run.max_rss, after[1])
    run.stages = stage_timings(stdout)
    return run


def ours_watch(book: Path, out: Path, n: int) -> list[Run]:
    """Rebuilds in one warm process, as `edition watch` does them."""
    cache = book.parent / "cache"
    proc, stdout = measure([sys.executable, "-c", WATCH_CHILD, str(book), str(out), str(n)], ROOT, build_env(cache))
    return [Run(round(r["wall"], 4), round(r["cpu"], 4), proc.max_rss, r["stages"])
            for r in json.loads(stdout.strip().splitlines()[-1])]


def calibre(book: Path, out: Path) -> Run:
    return measure(["ebook-convert", str(book), str(out / "calibre.epub"), "--epub-version", "3"],
                   out, {**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(out / "calibre-config")})[0]


def pandoc(markdown: Path, out: Path, title: str) -> Run:
    return measure(["pandoc", "-f", "markdown", "-t", "epub3", "-o", str(out / "pandoc.epub"), str(markdown),
                    "--metadata", f"title={title}", "--metadata", "lang=zh-Hans"], out, dict(os.environ))[0]


def edit(book: Path, k: int) -> None:
    """An editor's change to input/: a rebuild must not be able to reuse anything from the last one."""
    text = book.read_text(encoding="utf-8")
    text = re.sub(r"\n*(本次修订第\d+稿。\n)?\Z", "", text)
    book.write_text(text + f"\n\n本次修订第{k}稿。\n", encoding="utf-8")


# ---------------------------------------------------------------- peers' installation

def install_peers() -> dict[str, dict[str, object]]:
    """Install missing peers with apt-get (timed); for installed ones, read how long apt took from its log."""
    info: dict[str, dict[str, object]] = {}
    missing = [name for name, exe in PEERS.items() if not shutil.which(exe)]
    if missing and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        start = time.perf_counter()
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        update = time.perf_counter() - start
        for name in missing:
            start = time.perf_counter()
            proc = subprocess.run(["apt-get", "install", "-y", "-qq", name], env=env, capture_output=True, check=False)
            info[name] = {"install_s": round(time.perf_counter() - start, 1), "apt_update_s": round(update, 1),
                          "how": "installed now by bench/run.py", "ok": proc.returncode == 0}
    for name in PEERS:
        if name not in info:
            logged = apt_log_duration(name)
            info[name] = {"install_s": logged, "how": "from /var/log/apt/history.log" if logged else "unknown"}
        info[name]["version"] = peer_version(name)
    return info


def apt_log_duration(package: str) -> float | None:
    """Seconds of the apt-get run that installed `package`, from apt's history log."""
    log = Path("/var/log/apt/history.log")
    if not log.exists():
        return None
    for entry in log.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        command = re.search(r"^Commandline: (.*)$", entry, re.MULTILINE)
        start = re.search(r"^Start-Date: (.*)$", entry, re.MULTILINE)
        end = re.search(r"^End-Date: (.*)$", entry, re.MULTILINE)
        if command and start and end and "install" in command.group(1) \
                and re.search(rf"(^|\s){re.escape(package)}(\s|$)", command.group(1)):
            fmt = "%Y-%m-%d  %H:%M:%S"
            return time.mktime(time.strptime(end.group(1).strip(), fmt)) - \
                time.mktime(time.strptime(start.group(1).strip(), fmt))
    return None


def peer_version(name: str) -> str:
    exe = shutil.which(PEERS[name])
    if not exe:
        return "missing"
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return (proc.stdout.strip().splitlines() or ["?"])[0]


# ---------------------------------------------------------------- the run

def prepare(work: Path) -> dict[int, tuple[Path, Path]]:
    """Each size in its own folder with the editor's files; the Markdown for pandoc beside it."""
    books = {}
    for size in SIZES:
        book = make_book(BOOK, work / f"x{size}", size)
        md = book.with_suffix(".md")
        md.write_text(markdown_of(book.read_text(encoding="utf-8")), encoding="utf-8")
        books[size] = (book, md)
    return books


def bench(work: Path, runs: int, big_runs: int, peers: list[str]) -> dict[tuple[str, int], Series]:
    books = prepare(work)
    series = {(tool, size): Series(tool, size)
              for tool in ["ours", "ours-first", "ours-alone", "ours-watch", *peers] for size in SIZES}
    title = BOOK.stem
    # Warm-up, not timed: the OS page cache, Calibre's first-run config.
    for peer in peers:
        run_peer(peer, books[1], work / "warm", title)
    for size in SIZES:
        book, md = books[size]
        out = book.parent / "out"
        out.mkdir(exist_ok=True)
        # The first build fills the caches (jieba's dictionary, the memo of its answers): what an
        # editor has after building once.  Reported apart; the targets are about rebuilds.
        series[("ours-first", size)].runs.append(ours(book, out))
        for k in range(runs if size == 1 else big_runs):
            edit(book, k)
            md.write_text(markdown_of(book.read_text(encoding="utf-8")), encoding="utf-8")
            series[("ours", size)].runs.append(ours(book, out))
            edit(book, 1000 + k)  # the same kind of edit, built in a process of its own
            series[("ours-alone", size)].runs.append(ours(book, out, server=False))
            for peer in peers:
                series[(peer, size)].runs.append(run_peer(peer, (book, md), out, title))
            print(f"  {size:>2}× run {k + 1}: ours {series[('ours', size)].runs[-1].wall:.2f}s, "
                  f"without the server {series[('ours-alone', size)].runs[-1].wall:.2f}s"
                  + "".join(f", {p} {series[(p, size)].runs[-1].wall:.2f}s" for p in peers), flush=True)
        series[("ours-watch", size)].runs.extend(ours_watch(book, out, runs if size == 1 else big_runs))
        print(f"  {size:>2}× edition watch rebuilds: "
              + ", ".join(f"{r.wall:.2f}s" for r in series[("ours-watch", size)].runs), flush=True)
    return series


def run_peer(peer: str, book: tuple[Path, Path], out: Path, title: str) -> Run:
    out.mkdir(parents=True, exist_ok=True)
    return calibre(book[0], out) if peer == "calibre" else pandoc(book[1], out, title)


def profile(work: Path) -> str:
    book = work / "x1" / BOOK.name  # its caches are warm: the profile is of a rebuild after an edit
    edit(book, 999)
    proc = subprocess.run([sys.executable, "-c", PROFILE_CHILD, str(book), str(work / "profile" / "out")],
                          cwd=ROOT, env=build_env(book.parent / "cache", server=False), capture_output=True,
                          text=True, check=True)
    return proc.stdout


# ---------------------------------------------------------------- reporting

@dataclass
class Target:
    name: str
    value: float | None
    limit: float
    unit: str
    informative: bool = False  # shown against the limit, but not a target of issue #7

    @property
    def passed(self) -> bool | None:
        return None if self.value is None or self.informative else self.value <= self.limit

    def line(self) -> str:
        verdict = "INFO" if self.informative else {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        value = "n/a" if self.value is None else f"{self.value:.2f}{self.unit}"
        return f"{verdict}  {self.name}: {value} (limit {self.limit:g}{self.unit})"


def ratio(series: dict[tuple[str, int], Series], a: tuple[str, int], b: tuple[str, int],
          attr: str = "wall") -> float | None:
    if not series.get(a, Series("", 0)).runs or not series.get(b, Series("", 0)).runs:
        return None
    num, den = series[a].median(attr), series[b].median(attr)
    return None if num is None or not den else num / den


def targets(series: dict[tuple[str, int], Series]) -> list[Target]:
    big = series[("ours", 20)].runs + series[("ours-alone", 20)].runs
    return [
        Target("rebuild after an edit / Calibre ebook-convert (wall)", ratio(series, ("ours", 1), ("calibre", 1)),
               1.0, "×"),
        Target("rebuild after an edit / pandoc (wall)", ratio(series, ("ours", 1), ("pandoc", 1)), 5.0, "×"),
        Target("rebuild after an edit without the server / Calibre (wall)",
               ratio(series, ("ours-alone", 1), ("calibre", 1)), 1.0, "×"),
        Target("rebuild after an edit without the server / pandoc (wall)",
               ratio(series, ("ours-alone", 1), ("pandoc", 1)), 5.0, "×", informative=True),
        Target("edition watch rebuild after an edit / Calibre (wall)",
               ratio(series, ("ours-watch", 1), ("calibre", 1)), 1.0, "×"),
        Target("edition watch rebuild after an edit / pandoc (wall)",
               ratio(series, ("ours-watch", 1), ("pandoc", 1)), 5.0, "×"),
        Target("20× book / book (wall)", ratio(series, ("ours", 20), ("ours", 1)), 10.0, "×"),
        Target("20× book / book without the server (wall)", ratio(series, ("ours-alone", 20), ("ours-alone", 1)),
               10.0, "×"),
        Target("peak memory, 20× book (server or own process)",
               max([r.max_rss / MB for r in big if r.max_rss is not None] or [None]), 300.0, " MB"),
    ]


def markdown_table(series: dict[tuple[str, int], Series], sizes_kb: dict[int, float]) -> str:
    tools = sorted({t for t, _ in series}, key=lambda t: (not t.startswith("ours"), t))
    label = {"ours": "edition build after an edit (TEI+EPUB+HTML), served",
             "ours-first": "edition build, first (empty caches; starts the server)",
             "ours-alone": "edition build after an edit, EDITION_SERVER=off (own process)",
             "ours-watch": "edition watch: rebuild after an edit (warm process)", "calibre": "Calibre ebook-convert (txt → EPUB 3)",
             "pandoc": "pandoc (Markdown → EPUB 3)"}
    rows = ["| tool | book | wall (median) | CPU | peak memory | ours / this |",
            "| --- | --- | ---: | ---: | ---: | ---: |"]
    for tool in tools:
        for size in SIZES:
            s = series[(tool, size)]
            if not s.runs:
                continue
            r = ratio(series, ("ours", size), (tool, size))
            cpu, peak = s.median("cpu"), s.peak()
            rows.append(f"| {label.get(tool, tool)} | {size}× ({sizes_kb[size]:.0f} KB) | {s.median('wall'):.2f} s "
                        f"| {'n/a' if cpu is None else f'{cpu:.2f} s'} | {'n/a' if peak is None else f'{peak:.0f} MB'} "
                        f"| {'—' if tool.startswith('ours') else f'{r:.1f}×'} |")
    return "\n".join(rows)


def stage_table(series: dict[tuple[str, int], Series]) -> str:
    stages = list(series[("ours", 1)].stage_medians())
    rows = ["| book | " + " | ".join(stages) + " |", "| --- |" + " ---: |" * len(stages)]
    for size in SIZES:
        med = series[("ours", size)].stage_medians()
        rows.append(f"| {size}× | " + " | ".join(f"{med.get(s, 0):.2f} s" for s in stages) + " |")
    return "\n".join(rows)


def machine() -> dict[str, object]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_end": [round(x, 2) for x in load] if load else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs of the book, 1 of the larger books")
    parser.add_argument("--runs", type=int, default=5, help="runs of the book (default 5)")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of the 5× and 20× books (default 3)")
    parser.add_argument("--no-peers", action="store_true", help="skip Calibre and pandoc")
    parser.add_argument("--profile", action="store_true", help="also cProfile one build of the book")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed (for CI)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    runs, big_runs = (3, 1) if args.quick else (args.runs, args.big_runs)

    started = time.perf_counter()
    installs = {} if args.no_peers else install_peers()
    peers = [p for p in PEERS if not args.no_peers and shutil.which(PEERS[p])]
    with tempfile.TemporaryDirectory(prefix="edition-bench-") as tmp:
        work = Path(tmp)
        print(f"benchmark in {work} ({os.cpu_count()} CPUs); peers: {', '.join(peers) or 'none'}", flush=True)
        try:
            series = bench(work, runs, big_runs, peers)
        finally:
            stop_servers(running_servers(str(SERVERS)))
            shutil.rmtree(SERVERS, ignore_errors=True)
        sizes_kb = {s: (work / f"x{s}" / BOOK.name).stat().st_size / 1000 for s in SIZES}
        profile_text = profile(work) if args.profile else ""
    checks = targets(series)
    table, stages = markdown_table(series, sizes_kb), stage_table(series)
    print("\n" + table + "\n\nTime per stage (medians, inside the build process):\n\n" + stages + "\n")
    for name, info in installs.items():
        print(f"install {name} ({info.get('version')}): {info.get('install_s')} s ({info.get('how')})")
    print()
    for check in checks:
        print(check.line())
    if profile_text:
        print("\ncProfile of one build of the book:\n" + profile_text)
    elapsed = time.perf_counter() - started
    print(f"\nbench took {elapsed:.0f} s")
    write_results(args.results, series, checks, installs, sizes_kb, table, stages, elapsed)
    missed = any(c.passed is False for c in checks)
    return 1 if missed and args.check else 0


def write_results(path: Path, series: dict[tuple[str, int], Series], checks: list[Target],
                  installs: dict[str, dict[str, object]], sizes_kb: dict[int, float], table: str, stages: str,
                  elapsed: float) -> None:
    data = {
        "machine": machine(),
        "book_kb": sizes_kb,
        "series": [{"tool": s.tool, "size": s.size, "median_wall_s": s.median("wall"),
                    "median_cpu_s": s.median("cpu"), "peak_rss_mb": s.peak(),
                    "stage_medians_s": s.stage_medians(), "runs": [asdict(r) for r in s.runs]}
                   for s in series.values() if s.runs],
        "targets": [{"name": c.name, "value": c.value, "limit": c.limit, "passed": c.passed,
                     "informative": c.informative} for c in checks],
        "cpu_ratios": {f"ours/{tool} {size}x": ratio(series, ("ours", size), (tool, size), "cpu")
                       for tool, size in series if not tool.startswith("ours") and series[(tool, size)].runs},
        "installs": installs,
        "markdown_table": table,
        "stage_table": stages,
        "bench_seconds": round(elapsed, 1),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
