"""Benchmark of the grader: latency per problem, batch throughput, a concurrency soak, memory.

What it measures
----------------
1. Per problem 1-5, a full grading of the bench's correct submission (``bench/submissions/pN/
   pass_*.py``), timed three ways, interleaved (the order rotates every repetition) after one
   warm-up each:

   - ``grader``: the library, one ``Grader.create()`` then ``g.grade(path, n)`` per call;
   - ``cli``: the ``grade FILE --problem N`` command as a whole process (with
     PYTHONDONTWRITEBYTECODE set, ``grader/`` is byte-compiled once first, as pip does when it
     installs the package);
   - ``bare``: the same script started once per run of ``problems/N.yaml`` (with that run's
     stdin) as plain ``python script.py`` (LANG=C.UTF-8) against the bench's own loopback
     server: a selector thread that accepts, reads and, for problems 3-5, replies ~60 bytes per
     message; for a "server down" run a bound-but-not-listening socket refuses the connection.
     The script runs as a copy whose ``9090`` is replaced by that server's ephemeral port.

   Reported: median and p95 of the grader, ``ratio = grader_median / bare_median`` and
   ``cli_ratio = cli_median / bare_median``.
2. Throughput (gradings per second) of ``grade_many`` over a mixed batch (every bench
   submission, passing and failing, none of which times out) with ``jobs=1`` and
   ``jobs=os.cpu_count()``. ``grade_many`` takes one problem, so a batch is one call per problem.
   Also: how many cores ``jobs=1`` kept busy (a grading runs its runs side by side, and its
   worker prepares runs ahead, so one grading at a time already uses more than one core), and
   ``jobs=1`` with the grader, its worker and every run pinned to one core (what one core
   does), against which ``jobs=N`` shows how throughput grows with cores.
3. A soak: 200 gradings (``--quick``: 80) of mixed submissions, ``grade_many(jobs=16)`` per
   problem, while a child process listens on 127.0.0.1:9090 and answers garbage (if 9090 is
   already taken, that other program plays the stranger). Counted: wrong verdicts (against
   each file's ``# expect:`` line) and what is left behind: processes (descendants of the
   bench, where the grader's worker forks every run, or any process whose command line names
   ``<zygote>`` (a worker interpreter) or a bench submission, after vs before, less the
   grader's runs prepared ahead) and ``grade-*`` entries in
   ``tempfile.gettempdir()``.
4. Peak RSS of this (the grader's) process over batches 2 and 3: VmHWM, reset just before.

The bench points ``tempfile.tempdir`` (and TMPDIR for its children) at a private folder for its
whole run, so the ``grade-*`` count is not disturbed by other gradings on the machine.

How to run
----------
::

    .venv/bin/python bench/bench.py            # full: 15 repetitions per problem, 200-grading soak
    .venv/bin/python bench/bench.py --quick    # under a minute on 2 cores: 5 repetitions, 80
    .venv/bin/python bench/bench.py --quick --json   # the last line is one JSON object
    .venv/bin/python bench/bench.py --queue    # the queue instead: bench/queue_bench.py
    .venv/bin/python bench/bench.py --classroom   # the GitHub Classroom action: classroom_bench.py
    .venv/bin/python bench/bench.py --quick --pcap   # the same with every run's packets captured

``--pcap`` grades as ``grade --pcap DIR`` does (library and CLI; a private folder, removed with
the rest): compared with a run without it, the cost of capturing packets.

JSON: {"problems": {"1": {"grader_median_s", "grader_p95_s", "ratio", "cli_median_s",
"cli_ratio", "bare_median_s"}, ..., "5": {...}}, "throughput": {"jobs_1", "jobs_n", "n",
"jobs_1_busy_cores", "one_core"},
"soak": {"gradings", "wrong", "left_behind"}, "peak_rss_mb"}.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import random
import resource
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # run as a plain script from a checkout: import this grader

from grader.api import Grader  # noqa: E402
from grader.config import load_config  # noqa: E402
from grader.report import Report  # noqa: E402

SUBMISSIONS = BENCH / "submissions"
PROBLEMS = ROOT / "problems"
STRANGER = BENCH / "busy_9090.py"
BOOTSTRAP_NEEDLE = "<zygote>"  # in every worker interpreter's command line (and its runs')
PROBLEM_NUMBERS = (1, 2, 3, 4, 5)
SOAK_JOBS = 16
RUN_TIMEOUT_S = 30.0  # a deadline on every child process the bench starts itself
REPLY_GREETINGS = ("Привет", "Grüß dich", "Olá", "Hej", "こんにちは")


@dataclass(frozen=True)
class Mode:
    """How much to measure."""

    reps: int  # timed gradings per problem and way
    batch_copies: int  # each bench submission this many times in a throughput batch
    soak_per_problem: int  # gradings per problem in the soak


FULL = Mode(reps=15, batch_copies=4, soak_per_problem=40)
QUICK = Mode(reps=5, batch_copies=2, soak_per_problem=16)


@dataclass(frozen=True)
class Submission:
    """A bench learner script and the verdict it must get."""

    path: Path
    problem: int
    expected: str


@dataclass(frozen=True)
class Run:
    """One run of a problem: what the script reads and whether the server is up."""

    stdin: str
    server_up: bool


# --- inputs ---------------------------------------------------------------------------------


def load_submissions() -> list[Submission]:
    """Every ``bench/submissions/pN/*.py`` with the verdict of its ``# expect:`` first line."""
    found = []
    for problem in PROBLEM_NUMBERS:
        for path in sorted((SUBMISSIONS / f"p{problem}").glob("*.py")):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            if not first.startswith("# expect: "):
                raise SystemExit(f"bench: {path} has no '# expect:' first line")
            found.append(Submission(path, problem, first.removeprefix("# expect: ").strip()))
    return found


def correct_submission(subs: Sequence[Submission], problem: int) -> Submission:
    return next(s for s in subs if s.problem == problem and s.expected == "pass")


def load_runs(problem: int) -> list[Run]:
    """The runs of ``problems/N.yaml``: each run's stdin and server state (defaults applied)."""
    data = yaml.safe_load((PROBLEMS / f"{problem}.yaml").read_text(encoding="utf-8"))
    defaults = data.get("defaults") or {}
    runs = []
    for raw in data["runs"]:
        merged = {**defaults, **(raw or {})}
        runs.append(Run(str(merged.get("stdin", "")), merged.get("server", "up") == "up"))
    return runs


# --- statistics -----------------------------------------------------------------------------


def p95(samples: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# --- the bare server ------------------------------------------------------------------------


class BareServer:
    """A plain loopback server in one selector thread, plus a port that refuses connections.

    It accepts every connection and reads it to its end; with ``replies`` it answers each chunk
    it reads with a reply of the reference servers' size (one message is one chunk on loopback).
    """

    def __init__(self, replies: bool) -> None:
        self.replies = replies
        self.rng = random.Random(9090)
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.listener.setblocking(False)
        self.refuser = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.refuser.bind(("127.0.0.1", 0))  # bound, never listening: a connect gets RST
        self._wake_r, self._wake_w = socket.socketpair()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self.listener, selectors.EVENT_READ, self._accept)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._loop, name="bare-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    @property
    def refused_port(self) -> int:
        return int(self.refuser.getsockname()[1])

    def __enter__(self) -> BareServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wake_w.send(b"x")
        self._thread.join(timeout=5.0)
        for key in list(self._sel.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self._sel.close()
        self._wake_w.close()
        self.refuser.close()

    def _loop(self) -> None:
        while True:
            for key, _mask in self._sel.select(timeout=RUN_TIMEOUT_S):
                if key.data is None:
                    return
                key.data(key.fileobj)

    def _accept(self, listener: socket.socket) -> None:
        conn, _peer = listener.accept()
        conn.setblocking(False)
        self._sel.register(conn, selectors.EVENT_READ, self._read)

    def _read(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(65536)
            if data and self.replies:
                conn.sendall(self._reply(data))
        except OSError:
            data = b""
        if not data:
            self._sel.unregister(conn)
            conn.close()

    def _reply(self, message: bytes) -> bytes:
        greeting = self.rng.choice(REPLY_GREETINGS)
        token = f"{self.rng.randrange(1_000_000):06d}"
        return f"{greeting}! Got {len(message)} bytes, ticket №{token} ✓".encode()


def port_copy(script: Path, port: int, folder: Path) -> Path:
    """A copy of ``script`` in ``folder`` with ``9090`` replaced by ``port``."""
    copy = folder / f"{script.stem}_{port}.py"
    copy.write_text(script.read_text(encoding="utf-8").replace("9090", str(port)), "utf-8")
    return copy


def bare_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def run_bare(plan: Sequence[tuple[Path, bytes]]) -> None:
    """Start each script copy once with its stdin; a failing run makes the figure meaningless."""
    env = bare_env()
    for copy, stdin in plan:
        done = subprocess.run(
            [sys.executable, str(copy)],
            input=stdin,
            capture_output=True,
            env=env,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bare run of {copy.name} failed: {done.stderr.decode()[-300:]}")


# --- the three ways of grading --------------------------------------------------------------


def cli_command() -> list[str]:
    """The ``grade`` console script beside this interpreter, else ``python -m grader``."""
    script = Path(sys.executable).parent / "grade"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "grader"]


CLI_OPTIONS: list[str] = []  # ``--pcap DIR`` when the bench captures packets


def run_cli(path: Path, problem: int) -> None:
    done = subprocess.run(
        [*cli_command(), str(path), "--problem", str(problem), *CLI_OPTIONS],
        capture_output=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"grade {path.name} exited {done.returncode}: {done.stderr.decode()}")


def run_library(g: Grader, path: Path, problem: int) -> None:
    report = g.grade(path, problem)
    if report.verdict != "pass":
        raise RuntimeError(f"{path.name}: verdict {report.verdict} ({report.summary()})")


def measure_problem(g: Grader, sub: Submission, reps: int, scratch: Path) -> dict[str, float]:
    """Median/p95 of the three ways for one problem, interleaved, after one warm-up each."""
    runs = load_runs(sub.problem)
    with BareServer(replies=sub.problem >= 3) as server:
        up = port_copy(sub.path, server.port, scratch)
        down = port_copy(sub.path, server.refused_port, scratch)
        plan = [(up if r.server_up else down, r.stdin.encode()) for r in runs]
        ways: dict[str, Callable[[], None]] = {
            "grader": lambda: run_library(g, sub.path, sub.problem),
            "bare": lambda: run_bare(plan),
            "cli": lambda: run_cli(sub.path, sub.problem),
        }
        samples: dict[str, list[float]] = {name: [] for name in ways}
        for action in ways.values():
            action()  # warm-up: caches, imports, the first fork
        order = list(ways)
        for rep in range(reps):
            for name in order[rep % 3 :] + order[: rep % 3]:
                samples[name].append(timed(ways[name]))
    grader_median = statistics.median(samples["grader"])
    bare_median = statistics.median(samples["bare"])
    cli_median = statistics.median(samples["cli"])
    return {
        "grader_median_s": round(grader_median, 4),
        "grader_p95_s": round(p95(samples["grader"]), 4),
        "ratio": round(grader_median / bare_median, 2),
        "cli_median_s": round(cli_median, 4),
        "cli_ratio": round(cli_median / bare_median, 2),
        "bare_median_s": round(bare_median, 4),
    }


# --- batches --------------------------------------------------------------------------------


def grade_batch(
    g: Grader, subs: Sequence[Submission], jobs: int
) -> list[tuple[Submission, Report]]:
    """``grade_many`` once per problem over ``subs``; each report paired with its submission."""
    results = []
    for problem in PROBLEM_NUMBERS:
        mine = [s for s in subs if s.problem == problem]
        by_path = {str(s.path): s for s in mine}
        for report in g.grade_many([s.path for s in mine], problem, jobs=jobs):
            results.append((by_path[report.submission], report))
    return results


def wrong_verdicts(results: Sequence[tuple[Submission, Report]]) -> list[str]:
    return [
        f"{s.path.relative_to(BENCH)}: expected {s.expected}, got {r.verdict} {r.error}".rstrip()
        for s, r in results
        if r.verdict != s.expected
    ]


def throughput(g: Grader, subs: Sequence[Submission], copies: int, jobs: int) -> float:
    """Gradings per second of a mixed batch (each submission ``copies`` times)."""
    batch = [s for s in subs for _ in range(copies)]
    started = time.perf_counter()
    results = grade_batch(g, batch, jobs)
    elapsed = time.perf_counter() - started
    if wrong := wrong_verdicts(results):
        print(f"  throughput batch (jobs={jobs}) had wrong verdicts: {wrong}")
    return len(results) / elapsed


def busy_cores(work: Callable[[], float]) -> tuple[float, float]:
    """``work()``'s result, and how many cores the whole machine kept busy meanwhile."""

    def ticks() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # all, idle + iowait

    total, idle = ticks()
    result = work()
    total2, idle2 = ticks()
    spent = max(1, total2 - total)
    return result, (os.cpu_count() or 1) * (spent - (idle2 - idle)) / spent


def pinned_throughput(config: Any, subs: Sequence[Submission], copies: int) -> float:
    """``jobs=1`` with the grader, its worker and every run on one core: what one core does."""
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})  # inherited by the threads and processes made now
    try:
        with Grader.create(config=config) as one:
            throughput(one, subs, 1, 1)  # warm
            return throughput(one, subs, copies, 1)
    finally:
        os.sched_setaffinity(0, allowed)


def soak_batch(subs: Sequence[Submission], per_problem: int) -> list[Submission]:
    """``per_problem`` gradings per problem, cycling through its passing and failing scripts."""
    batch: list[Submission] = []
    for problem in PROBLEM_NUMBERS:
        mine = [s for s in subs if s.problem == problem]
        batch.extend(itertools.islice(itertools.cycle(mine), per_problem))
    return batch


# --- what is left behind --------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we may read."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry.name)] = (ppid, cmdline)
    return table


@dataclass(frozen=True)
class Seen:
    """A process the soak watches: its command line, and whether it descends from the bench."""

    cmdline: str
    descendant: bool


def _descendants(table: dict[int, tuple[int, str]], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cmd) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def prepared_runs(table: dict[int, tuple[int, str]], zygote: int) -> set[int]:
    """The processes of the zygote's runs prepared ahead (not left behind: waiting to be used).

    A prepared run is one child of the zygote (its PID 1, born in its namespaces) with, once
    prepared, one child of its own: the script's process, waiting, with nothing below it and no
    seccomp filter yet (a run's script installs one before its first line runs).
    """
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cmd) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    for first in children.get(zygote, []):
        kids = children.get(first, [])
        if not kids:
            found.add(first)
        elif len(kids) == 1 and not children.get(kids[0]) and _seccomp_mode(kids[0]) == 0:
            found |= {first, kids[0]}
    return found


def _seccomp_mode(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            line = next((ln for ln in f if ln.startswith("Seccomp:")), "")
    except OSError:
        return None
    return int(line.split()[1]) if line else None


def watched_processes(needles: Sequence[str]) -> dict[int, Seen]:
    """Descendants of this process, and any process whose command line holds a needle."""
    table = _proc_table()
    below = _descendants(table, os.getpid())
    return {
        pid: Seen(cmd, pid in below)
        for pid, (_ppid, cmd) in table.items()
        if pid != os.getpid() and (pid in below or any(n in cmd for n in needles))
    }


def split_foreign(
    procs: dict[int, Seen], ours: Sequence[str]
) -> tuple[dict[int, str], dict[int, str]]:
    """(ours, foreign). Every run is forked from the bench's own worker (zygote), so a process
    of ours descends from the bench; a worker interpreter's process that does not, and names no bench
    submission, belongs to another grading on this machine.
    """
    mine = {
        p: s.cmdline for p, s in procs.items() if s.descendant or any(n in s.cmdline for n in ours)
    }
    return mine, {p: s.cmdline for p, s in procs.items() if p not in mine}


def grade_entries() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("grade-")}


@contextlib.contextmanager
def private_tempdir() -> Iterator[Path]:
    """Point ``tempfile`` and children's TMPDIR at a fresh folder; remove it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bench-grader-"))
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def stranger_on_9090() -> Iterator[Callable[[], str]]:
    """A child listening on 127.0.0.1:9090 (or nothing, if 9090 is taken already).

    Yields a function that stops the child and says who held 9090 and what reached it.
    """
    proc = subprocess.Popen(
        [sys.executable, str(STRANGER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout=RUN_TIMEOUT_S):
                raise RuntimeError("the 9090 listener did not start in time")
        status = proc.stdout.readline().strip()

        def finish() -> str:
            if status != "ready":
                return "9090 was already taken by another program; it played the stranger"
            out, _err = proc.communicate(input="", timeout=RUN_TIMEOUT_S)
            return f"a child (pid {proc.pid}) listened on 9090; {out.strip()} reached it"

        yield finish
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=RUN_TIMEOUT_S)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()


@dataclass(frozen=True)
class SoakResult:
    """What the soak saw."""

    gradings: int
    wrong: list[str]  # one line per wrong verdict
    left_processes: dict[int, str]  # pid -> command line, ours
    foreign: dict[int, str]  # other gradings on this machine, not counted
    left_files: list[str]  # grade-* names in the temp folder
    seconds: float
    stranger: str  # who held port 9090

    @property
    def left_behind(self) -> int:
        return len(self.left_processes) + len(self.left_files)

    def summary(self) -> dict[str, int]:
        return {
            "gradings": self.gradings,
            "wrong": len(self.wrong),
            "left_behind": self.left_behind,
        }


def soak(g: Grader, subs: Sequence[Submission], per_problem: int) -> SoakResult:
    """Many gradings 16 at a time beside a stranger on 9090: wrong verdicts and leftovers."""
    batch = soak_batch(subs, per_problem)
    ours = sorted({str(s.path) for s in batch})
    needles = [BOOTSTRAP_NEEDLE, *ours]
    with stranger_on_9090() as finish:
        procs_before = watched_processes(needles)
        files_before = grade_entries()
        started = time.perf_counter()
        results = grade_batch(g, batch, SOAK_JOBS)
        elapsed = time.perf_counter() - started
        now = watched_processes(needles)
        # Read after: a run the worker was preparing at that moment is prepared by now.
        ready = prepared_runs(_proc_table(), g.zygote.pid)
        appeared = {
            pid: seen for pid, seen in now.items() if pid not in procs_before and pid not in ready
        }
        files_after = grade_entries()
        stranger = finish()
    left, foreign = split_foreign(appeared, ours)
    return SoakResult(
        gradings=len(results),
        wrong=wrong_verdicts(results),
        left_processes=left,
        foreign=foreign,
        left_files=sorted(files_after - files_before),
        seconds=elapsed,
        stranger=stranger,
    )


# --- memory ---------------------------------------------------------------------------------


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux: ``5`` into clear_refs); False where refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# --- output ---------------------------------------------------------------------------------


def print_problem_header() -> None:
    print(
        f"{'problem':>7} {'runs':>4} {'grader med':>10} {'p95':>8} {'bare med':>9} "
        f"{'ratio':>6} {'cli med':>8} {'cli ratio':>9}"
    )


def print_problem_row(problem: int, runs: int, row: dict[str, float]) -> None:
    print(
        f"{problem:>7} {runs:>4} {row['grader_median_s']:>9.3f}s {row['grader_p95_s']:>7.3f}s "
        f"{row['bare_median_s']:>8.3f}s {row['ratio']:>6.2f} {row['cli_median_s']:>7.3f}s "
        f"{row['cli_ratio']:>9.2f}",
        flush=True,
    )


def print_soak(result: SoakResult, quick: bool) -> None:
    note = " (--quick: fewer than the full 200)" if quick else ""
    print(
        f"soak: {result.gradings} gradings{note}, grade_many(jobs={SOAK_JOBS}) per problem, "
        f"{result.seconds:.1f} s; wrong verdicts {len(result.wrong)}; left behind "
        f"{result.left_behind} ({len(result.left_processes)} processes, "
        f"{len(result.left_files)} grade-* entries)"
    )
    print(f"  port 9090: {result.stranger}")
    for line in result.wrong[:10]:
        print(f"  wrong: {line}")
    for pid, cmd in list(result.left_processes.items())[:10]:
        print(f"  left process {pid}: {cmd[:160]}")
    for name in result.left_files[:10]:
        print(f"  left file {name}")
    if result.foreign:
        print(
            f"  not counted: {len(result.foreign)} {BOOTSTRAP_NEEDLE} processes of other "
            "gradings on this machine (not descendants of the bench, no bench submission)"
        )


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="fewer repetitions: under a minute")
    p.add_argument("--json", action="store_true", help="end with one JSON object on a line")
    p.add_argument("--queue", action="store_true", help="the queue instead (see queue_bench.py)")
    p.add_argument("--pcap", action="store_true", help="capture every run's packets (grade --pcap)")
    p.add_argument(
        "--profile",
        action="store_true",
        help="the median time of each stage of a run, per problem, instead (see profile())",
    )
    p.add_argument(
        "--pool", type=int, default=None, help="runs prepared ahead (default: grader.toml's)"
    )
    p.add_argument(
        "--classroom", action="store_true", help="the Classroom action (see classroom_bench.py)"
    )
    return p.parse_args(argv)


STAGES = (
    "request",
    "set-up",
    "script start",
    "script",
    "kernel view",
    "reap",
    "drain",
    "judge",
    "render",
)


class ProfiledGrader(Grader):
    """A Grader that keeps the observations of its last grading (their stage times)."""

    last: list[Any]

    def _observe_all(self, *args: Any, **kwargs: Any) -> Any:
        begun = time.perf_counter()
        observed = super()._observe_all(*args, **kwargs)
        self.last = observed
        self.observed_s = time.perf_counter() - begun
        return observed


def profile(g: Grader, subs: Sequence[Submission], reps: int) -> dict[str, dict[str, float]]:
    """Per problem, the median of each stage over ``reps`` gradings of its correct submission.

    A run's stages are its own (request: the grader's side until the zygote has the run;
    set-up: until the script's process exists; script start: until its body begins; script:
    until the kernel stops it in its exit; kernel view: the grader's look at its sockets; reap:
    until every process of the run is gone; drain: the server's side and the control channel
    read to their end); with several runs side by side, each stage's median over every run.
    judge is the grading's time outside its runs, render the text report's.
    """
    from grader.render import renderer

    text = renderer("text")
    table: dict[str, dict[str, float]] = {}
    for problem in PROBLEM_NUMBERS:
        sub = correct_submission(subs, problem)
        samples: dict[str, list[float]] = {name: [] for name in STAGES}
        g.grade(sub.path, problem)  # warm
        for _ in range(reps):
            begun = time.perf_counter()
            report = g.grade(sub.path, problem)
            total = time.perf_counter() - begun
            assert isinstance(g, ProfiledGrader)
            for obs in g.last:
                for name, seconds in obs.process.stages:
                    samples[name].append(seconds)
            samples["judge"].append(total - g.observed_s)
            samples["render"].append(timed(lambda r=report: text([r])))
        table[str(problem)] = {
            name: round(statistics.median(values), 5) for name, values in samples.items() if values
        }
    return table


def print_profile(table: dict[str, dict[str, float]]) -> None:
    print("median ms per stage (runs side by side: per run)")
    print(f"{'problem':>8} " + " ".join(f"{name:>12}" for name in STAGES))
    for problem, row in table.items():
        cells = " ".join(f"{row.get(name, float('nan')) * 1000:>12.2f}" for name in STAGES)
        print(f"{problem:>8} {cells}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    mode = QUICK if args.quick else FULL
    subs = load_submissions()
    cores = os.cpu_count() or 1
    if args.classroom:  # installs the grader from this checkout, as a runner does
        from classroom_bench import run as run_classroom

        figures = run_classroom()
        if args.json:
            print(json.dumps({"classroom": figures}))
        return 0
    if args.queue:  # needs redis-server and the queue extra
        from queue_bench import run as run_queue

        with private_tempdir(), Grader.create() as g:
            figures = run_queue(g, subs, mode.batch_copies * 4, cores)
        if args.json:
            print(json.dumps({"queue": figures}))
        return 0
    config = replace(load_config(None), pool=args.pool) if args.pool is not None else None
    if args.profile:
        with private_tempdir(), ProfiledGrader.create(config=config) as pg:
            print(f"grader profile: isolation {pg.isolation}, pool {pg.config.pool}")
            table = profile(pg, subs, mode.reps * 2)
        print_profile(table)
        if args.json:
            print(json.dumps({"profile": table, "pool": pg.config.pool}))
        return 0
    with private_tempdir() as scratch_root:
        pcaps = Path(tempfile.mkdtemp(prefix="pcap-", dir=scratch_root)) if args.pcap else None
        CLI_OPTIONS[:] = ["--pcap", str(pcaps)] if pcaps is not None else []
        g = Grader.create(config=config, pcap_dir=pcaps)
        print(
            f"grader bench: {'quick' if args.quick else 'full'}, {mode.reps} gradings per way "
            f"and problem, isolation {g.isolation}, {cores} cores, python {sys.version.split()[0]}"
            + (", every run's packets captured (--pcap)" if pcaps is not None else "")
        )
        if sys.flags.dont_write_bytecode:
            # An installed package has its bytecode (pip compiles it); a checkout under this
            # variable never gets it, and each command would compile the whole grader anew.
            import compileall

            compileall.compile_dir(ROOT / "grader", quiet=1)
            print(
                "note: PYTHONDONTWRITEBYTECODE is set: grader/ was byte-compiled first, as pip "
                "does when it installs a package"
            )
        scratch = Path(tempfile.mkdtemp(prefix="bare-", dir=scratch_root))
        problems: dict[str, dict[str, float]] = {}
        print_problem_header()
        for problem in PROBLEM_NUMBERS:
            row = measure_problem(g, correct_submission(subs, problem), mode.reps, scratch)
            problems[str(problem)] = row
            print_problem_row(problem, len(load_runs(problem)), row)

        reset = reset_peak_rss()
        (jobs_1, busy_1) = busy_cores(lambda: throughput(g, subs, mode.batch_copies, 1))
        jobs_n = throughput(g, subs, mode.batch_copies, cores)
        print(
            f"throughput ({len(subs) * mode.batch_copies} mixed gradings): jobs=1 "
            f"{jobs_1:.2f}/s, jobs={cores} {jobs_n:.2f}/s, ratio {jobs_n / jobs_1:.2f}"
        )
        one_core = pinned_throughput(config, subs, mode.batch_copies)
        print(
            f"  jobs=1 kept {busy_1:.2f} of {cores} cores busy (a grading's runs side by side, "
            f"runs prepared ahead); on one core: {one_core:.2f}/s, so jobs={cores} on {cores} "
            f"cores is {jobs_n / one_core:.2f}x one core"
        )
        soaked = soak(g, subs, mode.soak_per_problem)
        print_soak(soaked, args.quick)
        peak = peak_rss_mb()
        since = "throughput and soak" if reset else "the whole bench (VmHWM reset refused)"
        print(f"peak RSS of the grader process over {since}: {peak:.1f} MB")

    if args.json:
        result = {
            "problems": problems,
            "throughput": {
                "jobs_1": round(jobs_1, 2),
                "jobs_n": round(jobs_n, 2),
                "n": cores,
                "jobs_1_busy_cores": round(busy_1, 2),
                "one_core": round(one_core, 2),
            },
            "soak": soaked.summary(),
            "peak_rss_mb": round(peak, 1),
        }
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
