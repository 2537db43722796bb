"""The ``grade`` command as a user meets it: exit statuses, bad input, formats, batches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["missing.py", "--problem", "2"],
            "grade: missing.py: no such file; give the path of a learner's .py file",
        ),
        (
            ["{ok}", "--problem", "9"],
            "grade: unknown problem 9: there is no 9.yaml; known problems: 1, 2, 3, 4, 5",
        ),
        (["{ok}"], "grade: the following arguments are required: --problem/-p"),
        (["{ok}", "--problem", "two"], "grade: argument --problem/-p: invalid int value: 'two'"),
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
    lines = [x for x in result.stdout.splitlines() if x.startswith("::error ")]
    assert len(lines) == 1
    assert "title=problem 2%3A closes the connection itself [wake up]" in lines[0]


def test_batch_folder_with_broken_files(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a_pass.py").write_text(PASS_P2)
    (folder / "b_fail.py").write_text(FAIL_P2)
    (folder / "c_empty.py").write_text("")
    (folder / "d_binary.py").write_bytes(b"\x00\x01\xff" * 10)
    result = grade(str(folder), str(tmp_path / "missing.py"), "-p", "2", "--jobs", "2")
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["file", "verdict", "failed", "checks", "time"]
    verdicts = {Path(r.split()[0]).name: r.split()[1] for r in rows[1:-1]}
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
