"""Hostile learner scripts: what the grader does, and what the user sees, when a script fights back.

Every case is a real script in ``tests/hostile/`` (first line ``# hostile: <what it does>``), run
as a real process. Some are templates: the test fills in ``__MARKER__`` (a fresh uuid, so that
the processes and files a script leaves behind can be found from outside its namespaces),
``__HANG__``, ``__PORT__`` or ``__TARGET__`` and writes the result into ``tmp_path``.

Scripts that would harm the machine outside a PID namespace (``kill(-1)``, killing the parent)
carry a guard (``os.getpid() != 1`` -> exit status 5) and their tests run in namespace mode only.
Scripts that climb out of their scratch folder (``../../results.json``) are graded with
``tempfile.tempdir`` pointed at a deep private folder, so what escapes lands in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.api import Grader
from grader.render import renderer
from grader.render.text_format import render
from grader.report import Check, Report
from tests.conftest import ROOT, SUBMISSIONS
from tests.machine import need

HOSTILE = Path(__file__).resolve().parent / "hostile"
PASS_P2 = SUBMISSIONS / "p2" / "pass_lesson_encode_close.py"
GRADE = ROOT / ".venv" / "bin" / "grade"
LIMIT = 2.0  # the time limit of every case that runs into it


# -- helpers -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fast() -> Grader:
    return Grader.create(time_limit_s=LIMIT)


@pytest.fixture(scope="module")
def standard() -> Grader:
    """The shipped configuration (5 s): for cases that must end *well under* the limit."""
    return Grader.create()


def needs_namespace(grader: Grader) -> None:
    """Namespace isolation (a PID and network namespace per run): where the machine allows it."""
    need("namespaces")
    assert grader.isolation == "namespace", "the machine makes namespaces; the grader did not"


def hostile(name: str) -> Path:
    path = HOSTILE / name
    assert path.is_file(), path
    return path


def from_template(name: str, folder: Path, filename: str | None = None, **fields: str) -> Path:
    """``tests/hostile/<name>`` with each ``__KEY__`` replaced, written into ``folder``."""
    text = hostile(name).read_text(encoding="utf-8")
    for key, value in fields.items():
        placeholder = f"__{key.upper()}__"
        assert placeholder in text, f"{name} has no {placeholder}"
        text = text.replace(placeholder, value)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (filename or name)
    path.write_text(text, encoding="utf-8")
    return path


def check(report: Report, name: str, run: str | None = None) -> Check:
    for c in report.checks:
        if c.name == name and (run is None or c.run == run):
            return c
    raise AssertionError(f"no check {name!r} in {[c.name for c in report.checks]}")


def assert_fails(report: Report) -> None:
    assert report.verdict == "fail", (report.verdict, report.error, report.checks)
    assert not report.error


def assert_renders_cleanly(report: Report) -> str:
    """The text report holds no live escape code and nothing that is not text."""
    text = render([report])
    assert "\x1b" not in text and "\x9b" not in text
    text.encode("utf-8")  # no lone surrogates
    bad = [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")]
    assert not bad, f"control or invalid characters in the report: {bad!r}"
    data = json.loads(renderer("json")([report]))  # the JSON report is valid JSON, too
    assert data
    return text


def descendants(root: int) -> list[int]:
    """PIDs of every process below ``root`` (forked run processes keep the zygote's argv)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        parent[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    found, frontier = [], {root}
    while frontier:
        frontier = {pid for pid, ppid in parent.items() if ppid in frontier}
        found.extend(frontier)
    return found


def run_processes_left(zygote: int) -> list[int]:
    """Processes of ended runs still below the zygote: every descendant but its prepared runs.

    A prepared run is its PID 1 (a child of the zygote) with one child, its script's process,
    waiting for a submission: nothing below it, and no seccomp filter yet (a run's script
    installs one before its first line runs); or, while it is being prepared, a PID 1 alone.
    A run's script and everything it starts sit below a PID 1.
    """
    below = descendants(zygote)
    parents = {pid: _parent(pid) for pid in below}
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    prepared: set[int] = set()
    for first in children.get(zygote, []):
        kids = children.get(first, [])
        if not kids:
            prepared.add(first)
        elif len(kids) == 1 and not children.get(kids[0]) and _seccomp_mode(kids[0]) == 0:
            prepared |= {first, kids[0]}
    return sorted(pid for pid in below if pid not in prepared)


def _seccomp_mode(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            line = next((ln for ln in f if ln.startswith("Seccomp:")), "")
    except OSError:
        return None
    return int(line.split()[1]) if line else None


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return 0
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def proc_with(marker: str) -> list[int]:
    """PIDs (as this machine numbers them) whose command line contains ``marker``."""
    found = []
    needle = marker.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if needle in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def contained_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Scratch folders made 9 levels deep in ``tmp_path/t``: a ``../`` climb stays in there.

    Also makes ``tmp_path/cwd`` the grader's working folder. Yields ``tmp_path``.
    """
    deep = tmp_path / "t" / "1" / "2" / "3" / "4" / "5" / "6" / "7" / "8"
    deep.mkdir(parents=True)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    monkeypatch.chdir(cwd)
    yield tmp_path


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_cli(
    path: Path, problem: int, cwd: Path, tmpdir: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(tmpdir), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [str(GRADE), str(path), "--problem", str(problem), *extra],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_hostile_script_says_what_it_does() -> None:
    files = sorted(HOSTILE.glob("*.py"))
    assert len(files) >= 20
    for path in files:
        first = path.read_bytes().split(b"\n", 1)[0]
        assert first.startswith(b"# hostile: ") and len(first) > 20, path


# -- time --------------------------------------------------------------------------------------
TIME_CASES = {
    "time_busy_loop.py": "it had not connected",
    "time_sleep_after_connect.py": "it was connected but had sent nothing",
    "time_recv_unasked.py": "it had sent its data and was waiting",
    "time_nondaemon_thread.py": "its script had run to the end, but the interpreter did not exit",
}


@pytest.fixture(scope="module")
def time_reports(fast: Grader) -> dict[str, Report]:
    """The time cases graded side by side (each takes the whole time limit)."""
    paths = [hostile(name) for name in TIME_CASES]
    # Side by side, all four together take about one time limit (bench/bench.py measures it).
    return {Path(r.submission).name: r for r in fast.grade_many(paths, 2, jobs=len(paths))}


@pytest.mark.parametrize("name", list(TIME_CASES))
def test_time_limit_stops_the_script_and_says_what_it_was_doing(
    time_reports: dict[str, Report], name: str
) -> None:
    report = time_reports[name]
    assert_fails(report)
    end = check(report, "clean_end")
    assert end.status == "failed"
    assert end.expected == "the program ends by itself within 2 s, with exit status 0"
    assert end.observed == "still running after 2 s; stopped"
    assert end.hint.startswith("The program was still running after 2 s: "), end.hint
    assert TIME_CASES[name] in end.hint
    assert_renders_cleanly(report)


def test_time_busy_loop_says_it_never_connected(time_reports: dict[str, Report]) -> None:
    connected = check(time_reports["time_busy_loop.py"], "connected")
    assert connected.status == "failed"
    assert connected.observed == "no connection"
    assert "time limit ran out" in connected.hint


def test_time_sleep_after_connect_says_nothing_was_sent(time_reports: dict[str, Report]) -> None:
    sent = check(time_reports["time_sleep_after_connect.py"], "sent")
    assert sent.status == "failed"
    assert sent.observed == "b''"
    assert "before the time limit" in sent.hint


def test_time_recv_unasked_says_the_connection_was_left_open(
    time_reports: dict[str, Report],
) -> None:
    report = time_reports["time_recv_unasked.py"]
    assert check(report, "sent").status == "passed"  # the message itself was right
    closed = check(report, "closed")
    assert closed.status == "failed"
    assert closed.observed == "still open when the time limit stopped the program"


def test_time_nondaemon_thread_fails_though_the_exchange_was_right(
    time_reports: dict[str, Report],
) -> None:
    report = time_reports["time_nondaemon_thread.py"]
    assert [c.name for c in report.failed_checks] == ["clean_end"]


def test_time_nondaemon_thread_hint_does_not_blame_a_recv(
    time_reports: dict[str, Report],
) -> None:
    end = check(time_reports["time_nondaemon_thread.py"], "clean_end")
    # The program had sent, closed its socket (the server saw FIN) and its body had ended: it was
    # not waiting for a reply; a thread kept the interpreter alive.
    assert "waiting (for a reply" not in end.hint
    assert "recv()" not in end.hint


# -- process tree ------------------------------------------------------------------------------
@pytest.mark.parametrize("hang", [False, True], ids=["script-ends", "script-hangs"])
def test_no_process_of_the_tree_survives(fast: Grader, tmp_path: Path, hang: bool) -> None:
    needs_namespace(fast)
    # The script that ends by itself gets a limit it cannot reach even on a loaded machine
    # (starting 55 interpreters takes seconds there): whether its tree holds the grading up
    # is then told by how it ended, not by a clock.
    grader = fast if hang else Grader.create(time_limit_s=120)
    marker = uuid.uuid4().hex
    # The file name carries the marker: forked copies of the interpreter show it in their argv.
    path = from_template(
        "process_tree.py",
        tmp_path,
        f"tree_{marker}.py",
        marker=marker,
        linger="60" if hang else "0.5",
    )
    seen = [0]
    zygote = grader.zygote.pid
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen[0] = max(seen[0], len(set(proc_with(marker)) | set(descendants(zygote))))
            stop.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        report = grader.grade(path, 2)
    finally:
        stop.set()
        watcher.join(5)
        if grader is not fast:
            grader.close()
    # The script really started its tree: itself, child and grandchild, the daemon, the one that
    # ignores SIGTERM, 50 forked sleepers and the stopped one.
    assert seen[0] >= 55, f"only {seen[0]} processes of the tree were ever seen"
    assert proc_with(marker) == [], "processes of the run outlived its grading"
    assert run_processes_left(zygote) == [], "processes of the run outlived its grading"
    assert len([p for p in descendants(zygote) if _parent(p) == zygote]) <= fast.config.pool
    assert_fails(report)
    assert check(report, "connected").status == "failed"
    end = check(report, "clean_end")
    if hang:
        assert end.observed == "still running after 2 s; stopped"
    else:
        # The script itself ended: its leftover children did not hold the grading to the limit.
        assert end.status == "passed", end.observed
        assert "still running" not in end.observed
    assert_renders_cleanly(report)


# -- killing the grader ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["kill_parent.py", "kill_group.py", "kill_everything.py"])
def test_a_script_cannot_kill_the_grader(fast: Grader, name: str) -> None:
    if name != "kill_group.py":
        needs_namespace(fast)
    before = open_fds()
    report = fast.grade(hostile(name), 2)
    # Still here: this test is the grader's process. The report is an ordinary failure.
    assert_fails(report)
    end = check(report, "clean_end")
    assert "exit status 5" not in end.observed  # the script's safety guard did not fire
    assert check(report, "connected").observed == "no connection"
    assert "still running" not in end.observed  # it ended; the grader was not held to the limit
    assert_renders_cleanly(report)
    # And the next grading works as usual.
    again = fast.grade(PASS_P2, 2)
    assert again.verdict == "pass", again.checks
    assert open_fds() == before


def test_signals_to_the_runs_first_process_are_no_grader_fault(fast: Grader) -> None:
    """PID 1 of the run (its supervisor) is the script's parent: a signal it may be sent (SIGINT,
    which an interpreter turns into KeyboardInterrupt) must change nothing of the grading."""
    needs_namespace(fast)
    report = fast.grade(hostile("signal_pid1.py"), 2)
    assert report.verdict == "pass", (report.verdict, report.error, report.failed_checks)
    assert_renders_cleanly(report)


def test_a_script_stopped_and_continued_goes_on(standard: Grader) -> None:
    """A stop signal stops the script until a SIGCONT, as without the grader: the child it
    started continues it, and it ends well within the time limit."""
    report = standard.grade(hostile("stop_then_continued.py"), 2)
    assert report.verdict == "pass", (report.verdict, report.error, report.failed_checks)
    assert "still running" not in check(report, "clean_end").observed


def test_a_script_starts_with_the_signals_python_gives_it(tmp_path: Path) -> None:
    """Whatever signals the grader itself was started ignoring (a background job, nohup, a
    service), the script starts as under python script.py in a terminal: SIGINT raises
    KeyboardInterrupt and SIGTERM ends a child it started."""

    def ignoring() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_IGN)

    env = {**os.environ, "TMPDIR": str(tmp_path), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(
        [str(GRADE), str(hostile("signals_as_python_leaves_them.py")), "--problem", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=ignoring,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# -- output floods -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def warmed(standard: Grader) -> Grader:
    """A grader that has graded once, so that imports and caches do not count as growth."""
    standard.grade(hostile("flood_stderr.py"), 2)
    standard.grade(hostile("output_ansi.py"), 3)
    return standard


def test_stdout_flood_is_cut_quickly(warmed: Grader) -> None:
    rss = rss_kib()
    report = warmed.grade(hostile("flood_stdout.py"), 3)
    grown_mib = (rss_kib() - rss) / 1024
    assert grown_mib < 50, f"the grader grew by {grown_mib:.0f} MiB"
    assert_fails(report)
    assert len(report.runs) == 3
    for run in report.runs:
        output = check(report, "output", run)
        assert output.status == "failed"
        assert "output too long" in output.observed
        assert "The output passed 64 KiB" in output.hint
        assert len(output.observed) < 400  # a window, not 64 KiB of x
        end = check(report, "clean_end", run)
        assert end.observed == "stopped: output passed 64 KiB"
    text = assert_renders_cleanly(report)
    assert len(text) < 10_000


def test_stderr_flood_is_cut_quickly(warmed: Grader) -> None:
    rss = rss_kib()
    report = warmed.grade(hostile("flood_stderr.py"), 2)
    grown_mib = (rss_kib() - rss) / 1024
    assert grown_mib < 50, f"the grader grew by {grown_mib:.0f} MiB"
    assert_fails(report)
    assert [c.name for c in report.failed_checks] == ["clean_end"]
    end = check(report, "clean_end")
    assert end.observed == "stopped: output passed 64 KiB"
    assert "output passed 64 KiB" in end.hint
    assert len(assert_renders_cleanly(report)) < 5_000


# -- hostile output ----------------------------------------------------------------------------
def test_invalid_utf8_output_is_shown_replaced(fast: Grader) -> None:
    report = fast.grade(hostile("output_invalid_utf8.py"), 3)
    assert_fails(report)
    for run in report.runs:
        output = check(report, "output", run)
        assert output.status == "failed"
        assert "\ufffd" in output.observed
        assert "not UTF-8" in output.hint
    assert_renders_cleanly(report)


def test_ansi_escapes_are_shown_never_obeyed(fast: Grader) -> None:
    report = fast.grade(hostile("output_ansi.py"), 3)
    assert_fails(report)
    for run in report.runs:
        output = check(report, "output", run)
        assert output.status == "failed"
        assert "\\x1b[2J" in output.observed  # visible as an escape, so the learner sees it
        end = check(report, "clean_end", run)
        assert end.observed.startswith("an uncaught RuntimeError:")
        assert "RuntimeError: \\x1b[2J" in end.observed
        assert "\x1b" not in end.observed + output.observed + output.expected
    text = assert_renders_cleanly(report)
    assert "All checks passed" in text  # the exception text, escaped, not a verdict
    assert text.startswith("FAIL problem 3")
    colour = render([report], colour=True)  # the grader's own colours only
    assert "\x1b[2J" not in colour and "\x1b]0;" not in colour


def test_html_output_is_text_not_markup(fast: Grader) -> None:
    report = fast.grade(hostile("output_html.py"), 3)
    assert_fails(report)
    for run in report.runs:
        output = check(report, "output", run)
        assert output.status == "failed"
        assert "<script>" in output.observed  # text data; each renderer escapes it its own way
    assert_renders_cleanly(report)
    page = renderer("html")([report])
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_closing_stdout_and_stderr_is_no_failure_where_nothing_is_printed(fast: Grader) -> None:
    # Problem 2 judges no output: a correct exchange with fds 1 and 2 closed is a pass.
    report = fast.grade(hostile("closes_stdout_stderr.py"), 2)
    assert report.verdict == "pass", report.checks
    assert_renders_cleanly(report)


# -- memory ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["memory_huge_bytes.py", "memory_growing_list.py"])
def test_memory_hog_is_stopped_by_the_limit(standard: Grader, name: str) -> None:
    # The shipped 5 s limit: on a loaded machine, touching 512 MiB may take longer than 2 s.
    report = standard.grade(hostile(name), 2)
    assert_fails(report)
    end = check(report, "clean_end")
    assert end.status == "failed"
    # It ran into the address-space limit, not the clock ("still running after ...").
    assert end.observed.startswith("an uncaught MemoryError")
    assert "memory" in end.hint and "512 MiB" in end.hint
    assert "MemoryError" in check(report, "connected").hint
    assert_renders_cleanly(report)


def test_the_memory_limit_holds_inside_the_learners_process(fast: Grader, tmp_path: Path) -> None:
    # Proved where it acts: the script reads its own RLIMIT_AS and reserves memory past it; it
    # ends with status 3 (and says what it saw) unless the limit is the configured one and holds.
    limit = fast.config.limits.memory_mb
    assert limit == 512
    path = from_template("memory_limit_probe.py", tmp_path, limit_mb=str(limit))
    report = fast.grade(path, 2)
    end = check(report, "clean_end")
    assert end.status == "passed", end.observed
    assert report.verdict == "pass", report.failed_checks


# -- files -------------------------------------------------------------------------------------
def test_files_written_by_the_script_do_not_reach_the_grader_folder(
    fast: Grader, contained_tmp: Path
) -> None:
    marker = uuid.uuid4().hex
    path = from_template("files_escape.py", contained_tmp / "submission", marker=marker)
    cwd = contained_tmp / "cwd"
    scratch_parent = Path(tempfile.gettempdir())
    before_cwd, before_tmp = tree(cwd), tree(scratch_parent)
    report = fast.grade(path, 2)
    assert_fails(report)
    assert check(report, "clean_end").status == "passed"  # it did all it tried, and ended
    assert tree(cwd) == before_cwd, "the script wrote into the grader's working folder"
    assert tree(contained_tmp / "submission") == {"files_escape.py"}
    # The scratch folder is gone, locked-down subfolders and all; no other grade-* is left.
    left = [p for p in tree(scratch_parent) - before_tmp if p.startswith("grade-")]
    assert left == []
    assert not any(p.name.startswith("grade-") for p in scratch_parent.iterdir())


def test_a_known_absolute_path_outside_the_scratch_folder_is_not_writable(
    fast: Grader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_namespace(fast)  # routed mode has no file-system isolation (see the README)
    target = tmp_path / "grader-cwd"
    target.mkdir()
    monkeypatch.chdir(target)
    path = from_template("files_absolute_path.py", tmp_path / "submission", target=str(target))
    report = fast.grade(path, 2)
    assert_fails(report)
    assert tree(target) == set(), f"the script wrote {sorted(tree(target))}"


# -- sockets -----------------------------------------------------------------------------------
def test_two_thousand_connections_fail_one_connection_expected(fast: Grader) -> None:
    fast.grade(PASS_P2, 2)  # warm up: lazily opened descriptors are not the script's doing
    before = open_fds()
    report = fast.grade(hostile("many_connections.py"), 2)
    assert open_fds() == before, "the grader kept descriptors of the run"
    assert_fails(report)
    connected = check(report, "connected")
    assert connected.status == "failed"
    assert connected.expected == "1 connection to 127.0.0.1:9090"
    assert connected.observed == "32 or more connections"
    assert "Open one connection" in connected.hint
    assert_renders_cleanly(report)


# -- network -----------------------------------------------------------------------------------
def test_the_script_reaches_nothing_but_its_own_loopback(fast: Grader, tmp_path: Path) -> None:
    needs_namespace(fast)
    with socket.create_server(("127.0.0.1", 0)) as host_server:
        host_server.setblocking(False)
        port = host_server.getsockname()[1]
        path = from_template("network_escape.py", tmp_path, port=str(port))
        report = fast.grade(path, 2)
        with pytest.raises(BlockingIOError):
            host_server.accept()  # nothing from the run knocked on the machine's loopback
    assert_fails(report)  # it never connected to 9090
    end = check(report, "clean_end")
    assert "exit status 3" not in end.observed, "the script reached an address outside its run"
    assert end.status == "passed", end.observed  # exit 0: every attempt failed


# -- forged results ----------------------------------------------------------------------------
def test_printed_pass_and_written_result_files_are_no_pass(
    fast: Grader, contained_tmp: Path
) -> None:
    cwd = contained_tmp / "cwd"
    report = fast.grade(hostile("forged_results.py"), 2)
    assert_fails(report)
    connected = check(report, "connected")
    assert connected.status == "failed" and connected.observed == "no connection"
    assert check(report, "clean_end").status == "passed"
    assert tree(cwd) == set(), "forged result files reached the grader's working folder"
    text = assert_renders_cleanly(report)
    assert text.startswith("FAIL problem 2")


@pytest.mark.parametrize("name", ["forged_control.py"])
def test_forged_control_datagrams_do_not_make_a_pass(fast: Grader, name: str) -> None:
    report = fast.grade(hostile(name), 2)
    assert_fails(report)
    sent = check(report, "sent")
    assert sent.status == "failed"
    assert sent.observed == "b''"
    assert_renders_cleanly(report)
    assert fast.grade(PASS_P2, 2).verdict == "pass"


def test_a_forged_close_report_does_not_hide_a_socket_left_open(fast: Grader) -> None:
    report = fast.grade(hostile("forged_close_report.py"), 2)
    assert_fails(report)
    closed = check(report, "closed")
    assert closed.status == "failed"
    assert "interpreter exit" in closed.observed


def test_empty_file_fails_the_source_check(fast: Grader, tmp_path: Path) -> None:
    # Generated here: a hostile file needs its "# hostile:" line, and then it is not empty.
    path = tmp_path / "empty.py"
    path.write_bytes(b"\n  \n\t\n")
    report = fast.grade(path, 2)
    assert_fails(report)
    [source] = report.checks
    assert source.name == "source" and source.status == "failed"
    assert source.observed == "an empty file"
    assert_renders_cleanly(report)


def test_latin1_source_fails_saying_utf8(fast: Grader) -> None:
    report = fast.grade(hostile("latin1_source.py"), 2)
    assert_fails(report)
    [source] = report.checks
    assert source.name == "source" and source.status == "failed"
    assert "UTF-8" in source.observed
    assert "save it as UTF-8" in source.hint
    assert_renders_cleanly(report)


@pytest.mark.parametrize("generated", [False, True], ids=["stored", "fresh-random"])
def test_binary_file_fails_the_source_check(fast: Grader, tmp_path: Path, generated: bool) -> None:
    path = hostile("binary_blob.py")
    if generated:
        path = tmp_path / "blob.py"
        path.write_bytes(os.urandom(4096) + b"\x00")
    report = fast.grade(path, 2)
    assert_fails(report)
    [source] = report.checks
    assert source.name == "source" and source.status == "failed"
    assert "NUL" in source.observed
    assert_renders_cleanly(report)


def test_syntax_error_names_the_line(fast: Grader) -> None:
    report = fast.grade(hostile("syntax_error.py"), 2)
    assert_fails(report)
    [source] = report.checks
    assert source.name == "source" and source.status == "failed"
    assert source.observed.startswith("SyntaxError at line 5:")
    assert "(line 5)" in source.hint
    assert_renders_cleanly(report)


# -- the command line --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("flood_stdout.py", 3),
        ("forged_results.py", 2),
        ("output_ansi.py", 3),
        ("kill_group.py", 2),
        ("time_busy_loop.py", 2),
    ],
)
def test_cli_reports_a_plain_failure(tmp_path: Path, name: str, problem: int) -> None:
    cwd = tmp_path / "cwd"
    deep = tmp_path / "t" / "1" / "2" / "3" / "4" / "5" / "6" / "7" / "8"
    cwd.mkdir()
    deep.mkdir(parents=True)
    done = run_cli(hostile(name), problem, cwd, deep, "--timeout", str(LIMIT))
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith(f"FAIL problem {problem}")
    assert "\x1b" not in done.stdout
    assert tree(cwd) == set()
    assert not [p for p in deep.iterdir() if p.name.startswith("grade-")]
