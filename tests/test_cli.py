"""The ``grade`` command as a user meets it: exit statuses, bad input, formats, batches."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SUBMISSIONS

PASS_P2 = """
import socket
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send('Wake up, Neo'.encode())
"""
FAIL_P2 = """
import socket
s = socket.socket()
s.connect(('127.0.0.1', 9090))
s.send(b'Wake up, Neo')
"""


def grade(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def test_pass_and_fail_exit_statuses(script: Callable[..., Path]) -> None:
    passed = grade(str(script(PASS_P2)), "--problem", "2")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith("PASS problem 2 (Wake up, Neo): 4 of 4 checks passed")
    failed = grade(str(script(FAIL_P2)), "--problem", "2")
    assert failed.returncode == 1
    assert failed.stdout.startswith("FAIL problem 2 (Wake up, Neo): 3 of 4 checks passed")


KNOWN = "known problems: 1 (knock), 2 (wake-up), 3 (question), 4 (keep-talking), 5 (nobody-home)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["missing.py", "--problem", "2"],
            "grade: missing.py: no such file; give the path of a learner's .py file",
        ),
        (
            ["{ok}", "--problem", "9"],
            f"grade: unknown problem 9: no pack holds it; {KNOWN}",
        ),
        (["{ok}"], "grade: give FILE... and --problem N (or --list, --show N, serve N)"),
        (["{ok}", "--problem", "two"], f"grade: unknown problem two: no pack holds it; {KNOWN}"),
        (
            ["{ok}", "--problem", "2", "--timeout", "abc"],
            "grade: argument --timeout: 'abc': give a number of seconds, such as 5",
        ),
        (
            ["{ok}", "--problem", "2", "--points", "abc"],
            "grade: --points abc: give a number of points, such as 10 or 12.5",
        ),
        (
            ["{ok}", "--problem", "2", "--points", "10.1"],
            "grade: --points 10.1: points go in quarters; give 10 or 10.25",
        ),
        (
            ["{ok}", "--problem", "2", "--points", "0.75"],
            "grade: --points 0.75: problem 2 has 4 tests and each must be worth at least a "
            "quarter point; give at least 1",
        ),
        (
            ["{ok}", "--problem", "2", "--timeout", "-1"],
            "grade: --timeout -1: give a number of seconds from 0 to 600",
        ),
        (
            ["{ok}", "--problem", "2", "--config", "nope.toml"],
            "grade: nope.toml: configuration file not found; check the path",
        ),
        (
            ["{ok}", "--problem", "2", "--format", "yaml"],
            "grade: argument --format/-f: invalid choice: 'yaml'",
        ),
    ],
)
def test_bad_input_is_exit_2_with_one_clear_line(
    script: Callable[..., Path], tmp_path: Path, args: list[str], message: str
) -> None:
    ok = str(script(PASS_P2, "ok.py"))
    result = grade(*(a.replace("{ok}", ok) for a in args), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def test_malformed_config_names_the_key(script: Callable[..., Path], tmp_path: Path) -> None:
    config = tmp_path / "grader.toml"
    config.write_text("[limits]\ntime_limit_s = 'soon'\n")
    result = grade(str(script(PASS_P2)), "-p", "2", "--config", str(config))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"grade: {config}: [limits] time_limit_s = 'soon': it must be a positive number\n"
    )
    config.write_text("[limits\n")
    result = grade(str(script(PASS_P2)), "-p", "2", "--config", str(config))
    assert result.returncode == 2 and "not valid TOML" in result.stderr


def test_json_report_and_output_file(script: Callable[..., Path], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = grade(str(script(FAIL_P2)), "-p", "2", "--format", "json", "--output", str(out))
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL problem 2")  # the terminal still gets text
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["verdict"] == "fail" and data["exit_code"] == 1
    closed = next(c for c in data["checks"] if c["name"] == "closed")
    assert closed["status"] == "failed" and "never closed" in closed["hint"]


def test_github_annotations(script: Callable[..., Path]) -> None:
    result = grade(str(script(FAIL_P2)), "-p", "2", env={"GITHUB_ACTIONS": "true"})
    lines = [x for x in result.stderr.splitlines() if x.startswith("::error ")]
    assert len(lines) == 1
    assert "title=problem 2%3A closes the connection itself [wake up]" in lines[0]
    assert "::error" not in result.stdout


def test_batch_folder_with_broken_files(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a_pass.py").write_text(PASS_P2)
    (folder / "b_fail.py").write_text(FAIL_P2)
    (folder / "c_empty.py").write_text("")
    (folder / "d_binary.py").write_bytes(b"\x00\x01\xff" * 10)
    result = grade(str(folder), str(tmp_path / "missing.py"), "-p", "2", "--jobs", "2")
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["file", "verdict", "points", "failed", "checks", "time"]
    verdicts = {Path(r.split()[0]).name: r.split()[1] for r in rows[1:-1]}
    points = {Path(r.split()[0]).name: r.split()[2] for r in rows[1:-1]}
    assert points == {
        "a_pass.py": "100/100",
        "b_fail.py": "75/100",
        "c_empty.py": "0/100",
        "d_binary.py": "0/100",
        "missing.py": "0/100",
    }
    assert verdicts == {
        "a_pass.py": "PASS",
        "b_fail.py": "FAIL",
        "c_empty.py": "FAIL",
        "d_binary.py": "FAIL",
        "missing.py": "INVALID",
    }
    assert rows[-1] == "1 of 5 files passed"
    assert result.returncode == 2  # the worst: a file that is not there is bad input


def test_batch_json_lines(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"s{i}.py").write_text(PASS_P2)
    result = grade(str(tmp_path), "-p", "2", "--format", "json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(Path(r["submission"]).name for r in lines) == ["s0.py", "s1.py", "s2.py"]
    assert result.returncode == 0


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    import pty
    import select

    for i in range(3):
        (tmp_path / f"s{i}.py").write_text(PASS_P2)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", str(tmp_path), "-p", "2"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other side closed: the command has ended
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = proc.communicate(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    assert b"3/3 graded, 0 not passed" in shown
    assert stdout.decode().splitlines()[-1] == "3 of 3 files passed"
    piped = grade(str(tmp_path), "-p", "2")
    assert "graded" not in piped.stderr and "#" not in piped.stderr


def _on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(timeout=60)
    os.close(master)
    return shown


def test_colour_on_a_terminal_unless_no_color(script: Callable[..., Path]) -> None:
    path = str(script(PASS_P2))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal([path, "-p", "2"], env)
    assert b"\x1b[32mPASS\x1b[0m" in coloured
    plain = _on_a_terminal([path, "-p", "2"], {**env, "NO_COLOR": "1"})
    assert plain.startswith(b"PASS problem 2") and b"\x1b[" not in plain


# -- GitHub Actions -------------------------------------------------------------------------------
SYNTAX_P2 = """
import socket
s = socket.socket(
"""
# The same mistake in all three runs of problem 3, and text that spells workflow commands.
FORGER_P3 = """
import socket
message = input()
print("::error file=x.py::forged")
print("::set-env name=X::y")
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    print(s.recv(1024))
"""


def _actions_env(tmp_path: Path) -> dict[str, str]:
    summary = tmp_path / "step_summary.md"
    summary.touch()
    return {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}


@pytest.mark.parametrize("fmt", ["json", "junit", "gradescope", "classroom", "html"])
def test_under_actions_stdout_keeps_its_format(
    script: Callable[..., Path], tmp_path: Path, fmt: str
) -> None:
    from junitparser import JUnitXml

    path = str(script(FORGER_P3))
    result = grade(path, "-p", "3", "--format", fmt, env=_actions_env(tmp_path))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    if fmt in ("json", "gradescope"):
        json.loads(out)
    elif fmt == "classroom":
        json.loads(base64.b64decode(out.strip(), validate=True))
    elif fmt == "junit":
        JUnitXml.fromstring(out)
    else:
        assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    # no line of stdout reads as a workflow command, even where the learner printed one
    assert not re.search(r"(?m)^\s*::", out)
    commands = [x for x in result.stderr.splitlines() if x.startswith("::")]
    assert len(commands) == 1  # one mistake (printing bytes), three runs: one annotation
    assert commands[0].startswith(f"::error file={path},title=problem 3%3A prints ")


def test_under_actions_text_is_fenced_and_lines_are_given(
    script: Callable[..., Path], tmp_path: Path
) -> None:
    env = _actions_env(tmp_path)
    forger = str(script(FORGER_P3))
    first = grade(forger, "-p", "3", env=env)
    second = grade(forger, "-p", "3", env=env)
    tokens = []
    for run in (first, second):
        lines = run.stdout.splitlines()
        opening = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
        assert opening, lines[0]
        tokens.append(opening[1])
        assert lines[-1] == f"::{opening[1]}::"
        assert lines[1].startswith("FAIL problem 3")
        assert "::error file=x.py::forged" in run.stdout  # quoted inside the fence, not obeyed
    assert tokens[0] != tokens[1]
    syntax_file = script(SYNTAX_P2, "syntax.py")  # an absolute path inside the workspace
    env["GITHUB_WORKSPACE"] = str(syntax_file.parent)
    syntax = grade(str(syntax_file), "-p", "2", env=env)
    (annotation,) = syntax.stderr.splitlines()
    assert annotation.startswith(
        "::error file=syntax.py,line=2,title=problem 2%3A is a Python script [the file]::"
    )


def test_annotations_are_capped_per_grading(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(12):
        (folder / f"s{i:02}.py").write_text(FAIL_P2)
    env = _actions_env(tmp_path)
    result = grade(str(folder), "-p", "2", env=env)
    commands = [x for x in result.stderr.splitlines() if x.startswith("::")]
    assert len(commands) == 10
    assert all(c.startswith("::error file=") for c in commands[:9])
    assert commands[9] == (
        "::warning title=grader::3 more mistakes are not annotated; "
        "the job summary lists every file's checks"
    )
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.startswith("## Socket grader: 0 of 12 passed\n")
    assert summary.count("### FAIL · problem 2 (Wake up, Neo)") == 12
    assert summary.count("**75 / 100 points**") == 12


# -- --output and folders -------------------------------------------------------------------------
def _umask_run(mask: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(mask),
    )


def test_output_file_mode_follows_the_umask(script: Callable[..., Path], tmp_path: Path) -> None:
    path = str(script(PASS_P2))
    for mask, mode in ((0o022, 0o644), (0o027, 0o640), (0o002, 0o664)):
        target = tmp_path / f"report_{mask:o}.json"
        result = _umask_run(mask, path, "-p", "2", "-f", "json", "-o", str(target))
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(target.stat().st_mode) == mode
    kept = tmp_path / "report_22.json"
    kept.chmod(0o600)  # an existing file keeps the mode its owner gave it
    _umask_run(0o022, path, "-p", "2", "-f", "json", "-o", str(kept))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_bad_output_targets_are_exit_2(script: Callable[..., Path], tmp_path: Path) -> None:
    path = script(PASS_P2, "mine.py")
    before = path.read_bytes()
    cases = {
        str(tmp_path / "nowhere" / "r.json"): (
            f"grade: --output {tmp_path}/nowhere/r.json: the folder {tmp_path}/nowhere "
            "does not exist; create it first\n"
        ),
        str(tmp_path): f"grade: --output {tmp_path}: is a folder; give a file name\n",
        str(path): (
            f"grade: --output {path}: that is a file being graded; write the report elsewhere\n"
        ),
    }
    for target, message in cases.items():
        result = grade(str(path), "-p", "2", "-f", "json", "-o", target)
        assert (result.returncode, result.stderr, result.stdout) == (2, message, "")
    assert path.read_bytes() == before
    folder = grade(str(tmp_path), "-p", "2", "-o", str(path))  # a file inside a graded folder
    assert folder.returncode == 2 and "that is a file being graded" in folder.stderr
    assert path.read_bytes() == before


def test_folders_skip_hidden_folders_venvs_and_symlinks(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "client.py").write_text(PASS_P2)
    (repo / "src" / "extra.py").write_text(PASS_P2)
    for hidden in (".venv/lib/python3.12/site-packages/pkg", ".git/hooks", "myenv/lib"):
        (repo / hidden).mkdir(parents=True)
        (repo / hidden / "junk.py").write_text("raise SystemExit(1)\n")
    (repo / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    outside = tmp_path / "outside.py"
    outside.write_text(FAIL_P2)
    (repo / "link.py").symlink_to(outside)
    (repo / "linked_dir").symlink_to(tmp_path)
    result = grade(".", "-p", "2", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    graded = [r.split()[0] for r in result.stdout.splitlines()[1:-1]]
    assert graded == ["client.py", "src/extra.py"]
    assert result.stderr == (
        "grade: .: skipped 5 (hidden folders, virtual environments, symbolic links): "
        ".git/, .venv/, linked_dir (a symbolic link), myenv/, link.py (a symbolic link)\n"
    )


def _no_times(text: str) -> str:
    """The text less what differs from grading to grading: times, and the replies' seed."""
    return re.sub(r"seed \d+", "seed N", re.sub(r"\d+\.\d+ s", "T s", text))


def test_terminal_gets_the_same_text_whatever_the_format(
    script: Callable[..., Path], tmp_path: Path
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.py").write_text(PASS_P2)
    (folder / "b.py").write_text(FAIL_P2)
    single = str(script(FAIL_P2))
    shown: dict[str, set[str]] = {"batch": set(), "single": set()}
    for fmt in ("text", "json", "junit", "html", "gradescope", "classroom"):
        target = str(tmp_path / f"out.{fmt}")
        batch = grade(str(folder), "-p", "2", "-f", fmt, "-o", target)
        one = grade(single, "-p", "2", "-f", fmt, "-o", target)
        assert (batch.returncode, one.returncode) == (1, 1)
        shown["batch"].add(_no_times(batch.stdout))
        shown["single"].add(_no_times(one.stdout))
    assert len(shown["batch"]) == 1 and len(shown["single"]) == 1
    (table,) = shown["batch"]
    assert table.splitlines()[-1] == "1 of 2 files passed"
    (text,) = shown["single"]
    assert text.startswith("FAIL problem 2 (Wake up, Neo): 3 of 4 checks passed")


# -- colour, encoding, version, points ------------------------------------------------------------
def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    return {**env, **extra}


def test_colour_conventions(script: Callable[..., Path]) -> None:
    path = str(script(PASS_P2))
    green = "\x1b[32mPASS\x1b[0m"

    def piped(env: dict[str, str]) -> str:
        return subprocess.run(
            [sys.executable, "-m", "grader", path, "-p", "2"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        ).stdout

    assert green not in piped(_clean_env())
    assert piped(_clean_env(FORCE_COLOR="1")).startswith(green)
    # GitHub Classroom's command runner passes PATH, HOME and FORCE_COLOR only
    runner = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "FORCE_COLOR": "1",
    }
    assert piped(runner).startswith(green)
    assert green not in piped(_clean_env(FORCE_COLOR="1", NO_COLOR="1"))
    assert green not in piped(_clean_env(FORCE_COLOR=""))  # empty: not set
    on_terminal = _on_a_terminal([path, "-p", "2"], _clean_env(TERM="xterm"))
    assert green.encode() in on_terminal
    dumb = _on_a_terminal([path, "-p", "2"], _clean_env(TERM="dumb"))
    assert dumb.startswith(b"PASS problem 2") and b"\x1b[" not in dumb
    assert _on_a_terminal(["--no-color", path, "-p", "2"], _clean_env(FORCE_COLOR="1")).startswith(
        b"PASS"
    )


def test_output_is_safe_in_any_encoding(script: Callable[..., Path]) -> None:
    result = grade(str(script(FAIL_P2)), "-p", "2", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "\\u2717 closes the connection itself" in result.stdout  # ✗, escaped


def test_version() -> None:
    from importlib.metadata import version

    result = grade("--version")
    assert (result.returncode, result.stdout) == (0, f"grade {version('socket-grader')}\n")


def test_points(script: Callable[..., Path]) -> None:
    result = grade(str(script(FAIL_P2)), "-p", "2", "-f", "json", "--points", "10")
    data = json.loads(result.stdout)
    assert (data["score"], data["max_score"]) == (7.5, 10)  # 2.5 each: "closed" failed
    assert [c["max_score"] for c in data["tests"]] == [2.5, 2.5, 2.5, 2.5]
    odd = grade(str(script(FAIL_P2)), "-p", "2", "-f", "json", "--points", "10.25")
    data = json.loads(odd.stdout)
    assert [c["max_score"] for c in data["tests"]] == [2.75, 2.5, 2.5, 2.5]
    assert (data["score"], data["max_score"]) == (7.75, 10.25)
    assert odd.stderr == "" and odd.returncode == 1
    text = grade(str(script(FAIL_P2)), "-p", "2", "--points", "10.25").stdout
    assert text.startswith(
        "FAIL problem 2 (Wake up, Neo): 3 of 4 checks passed · 7.75 / 10.25 points\n"
    )
    bad = grade(str(script(FAIL_P2)), "-p", "2", "--points", "0")
    assert (bad.returncode, bad.stderr) == (
        2,
        "grade: --points 0: give a positive number of points, such as 10 or 12.5\n",
    )


def test_missing_file_still_gives_a_machine_report(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    result = grade("absent.py", "-p", "2", "-f", "gradescope", "-o", str(target), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr == "grade: absent.py: no such file; give the path of a learner's .py file\n"
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["score"] == 0 and len(data["tests"]) == 4


def test_a_reader_that_closes_the_output_ends_the_command_without_a_fault(tmp_path: Path) -> None:
    # `grade FOLDER --format json | head -1`: the JSON Lines of a batch stream out while files
    # are graded; once the reader has gone, the command stops with 141 (SIGPIPE, as shells say),
    # and says nothing of a fault.
    for source in sorted((SUBMISSIONS / "p1").glob("*.py"))[:24]:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    command = subprocess.Popen(
        [sys.executable, "-m", "grader", str(tmp_path), "-p", "1", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert command.stdout is not None and command.stderr is not None
    first = command.stdout.readline()
    command.stdout.close()  # the reader goes, as head does after its line
    status = command.wait(timeout=120)
    error = command.stderr.read().decode()
    command.stderr.close()
    assert json.loads(first)["problem"] == 1
    assert (status, error) == (141, "")
