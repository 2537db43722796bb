"""Sentences that name a position, a count or a cause, every bound, and output that must stay inert.

Each case is chosen so that the obvious slip (an index off by one, two rules swapped, a bound
dropped, a spelling of a path not compared) changes what the user sees: the second of three
messages wrong, a crash after ``connect()``, a wrong port without ``try``; a value at its bound
and one past it; the graded file named relatively, absolutely, through a link and a hard link;
a learner's line that spells an indented workflow command, and bidirectional overrides.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.api import Grader, check_points, points_of, time_limit
from grader.config import Config, Limits, parse_config
from grader.errors import BadInput
from grader.paths import data_path
from grader.problem.spec import load_spec
from grader.queue.job import make_job, parse_job
from grader.render.text_format import render

PASS_P2 = """
import socket
with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.sendall(b"Wake up, Neo")
"""


def grade_cli(
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


# -- positions, counts and causes in feedback -----------------------------------------------------
def test_the_second_of_three_messages_is_named_the_second(
    grader: Grader, script: Callable[..., Path]
) -> None:
    path = script(
        """
        import socket
        n = int(input())
        with socket.socket() as s:
            s.connect(("127.0.0.1", 9090))
            for i in range(n):
                line = input()
                s.sendall((line.upper() if i == 1 else line).encode())
                print(s.recv(1024).decode())
        """
    )
    report = grader.grade(path, 4)
    sent = {c.run: c for c in report.checks if c.name == "sent" and c.status == "failed"}
    assert sorted(sent) == ["four messages", "three messages"]
    assert sent["three messages"].observed.startswith("message 2 of 3: b'")
    assert sent["three messages"].expected.startswith("message 2 of 3: b'")
    assert sent["four messages"].observed.startswith("message 2 of 4: b'DOS")
    # The marker points under the first wrong byte, past the label.
    label = len("message 2 of 3: ")
    assert sent["three messages"].marker.index("^") > label


def test_a_crash_after_connect_is_told_as_the_crash_not_as_an_unclosed_socket(
    grader: Grader, script: Callable[..., Path]
) -> None:
    path = script(
        """
        import socket
        s = socket.socket()
        s.connect(("127.0.0.1", 9090))
        s.send(b"Wake up, Neo")
        raise RuntimeError("boom")
        """
    )
    report = grader.grade(path, 2)
    lines = render([report]).splitlines()
    assert lines[1] == "Your program stopped with an uncaught RuntimeError."
    assert "  Failing because of it: closes the connection itself." in lines


def test_a_wrong_port_is_told_as_the_address_never_as_a_missing_except(
    grader: Grader, script: Callable[..., Path]
) -> None:
    path = script(
        """
        import socket
        s = socket.socket()
        s.connect(("127.0.0.1", 9091))
        s.send(b"Wake up, Neo")
        s.close()
        """
    )
    report = grader.grade(path, 2)
    assert render([report]).splitlines()[1] == (
        "Your program connected to 127.0.0.1:9091; the server listens on 127.0.0.1 port 9090."
    )
    end = next(c for c in report.checks if c.name == "clean_end")
    assert end.hint_key == "wrong_address", end.hint
    text = render([report])
    assert "except" not in text and "try:" not in text
    assert "The same mistake in: ends cleanly within 5 s." in text


# -- precedence and bounds ----------------------------------------------------------------------
SPEC = """
problem: 2
title: Wake up, Neo
server: problem2.py
time_limit_s: 7
points: 40
defaults: {checks: [connected, sent]}
runs:
  - name: wake up
    messages: ["Wake up, Neo"]
"""


def _spec(tmp_path: Path, text: str = SPEC) -> object:
    folder = tmp_path / "problems"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2.yaml").write_text(text, encoding="utf-8")
    return load_spec(2, folder, data_path("fixtures"))


def test_the_callers_time_limit_and_points_win_over_the_spec_which_wins_over_defaults(
    tmp_path: Path,
) -> None:
    spec = _spec(tmp_path)
    plain = _spec(tmp_path / "plain", SPEC.replace("time_limit_s: 7\npoints: 40\n", ""))
    config = Config(limits=Limits(time_limit_s=4.0))
    assert time_limit(spec, config, 3.0) == 3.0  # type: ignore[arg-type]
    assert time_limit(spec, config) == 7.0  # type: ignore[arg-type]
    assert time_limit(plain, config) == 4.0  # type: ignore[arg-type]
    assert points_of(spec, 10) == 10  # type: ignore[arg-type]
    assert points_of(spec) == 40  # type: ignore[arg-type]
    assert points_of(plain) == 100  # type: ignore[arg-type]


def test_the_callers_time_limit_and_points_reach_the_report(
    script: Callable[..., Path],
) -> None:
    with Grader.create(time_limit_s=3, points=8) as grader:
        report = grader.grade(script(PASS_P2), 2)
    assert report.verdict == "pass"
    assert (report.score, report.max_score) == (8, 8)
    end = next(c for c in report.checks if c.name == "clean_end")
    assert end.title == "ends cleanly within 3 s"


@pytest.mark.parametrize(
    ("seconds", "accepted"), [(600, True), (600.5, False), (100000, False), (0, False)]
)
def test_timeout_is_bounded_at_600_seconds(seconds: float, accepted: bool) -> None:
    if accepted:
        assert Config().with_time_limit(seconds).limits.time_limit_s == seconds
        Grader.create(time_limit_s=seconds).close()
        return
    message = f"--timeout {seconds:g}: give a number of seconds from 0 to 600"
    with pytest.raises(BadInput) as refused:
        Config().with_time_limit(seconds)
    assert str(refused.value) == message
    with pytest.raises(BadInput):
        Grader.create(time_limit_s=seconds)


def test_the_command_refuses_a_timeout_past_the_bound(script: Callable[..., Path]) -> None:
    path = str(script(PASS_P2))
    done = grade_cli(path, "--problem", "2", "--timeout", "100000")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "grade: --timeout 100000: give a number of seconds from 0 to 600\n"
    done = grade_cli(path, "--problem", "2", "--points", "0")
    assert (done.returncode, done.stderr) == (
        2,
        "grade: --points 0: give a positive number of points, such as 10 or 12.5\n",
    )


@pytest.mark.parametrize(
    ("points", "refusal"),
    [
        (1, ""),
        (10.25, ""),
        (0, "points 0: give a positive number of points, such as 10 or 12.5"),
        (True, "points True: give a number of points, such as 10 or 12.5"),
        (0.1, "points 0.1: points go in quarters; give 0 or 0.25"),
    ],
)
def test_points_are_a_positive_number_of_quarters(points: float, refusal: str) -> None:
    if not refusal:
        assert check_points(points) == points
        return
    with pytest.raises(BadInput) as refused:
        check_points(points)
    assert str(refused.value) == refusal


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("time_limit_s", 600, True),
        ("time_limit_s", 601, False),
        ("time_limit_s", 0, False),
        ("time_limit_s", True, False),
        ("points", 1, True),
        ("points", 0, False),
        ("points", True, False),
    ],
)
def test_a_jobs_time_limit_and_points_are_bounded(
    field: str, value: object, accepted: bool
) -> None:
    job = {**make_job(b"x = 1\n", 2, job_id="bounded"), field: value}
    if accepted:
        assert getattr(parse_job(job), field) == value
        return
    with pytest.raises(BadInput, match=rf"job field '{field}'"):
        parse_job(job)


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ("connections: 0", True),
        ("connections: 2", True),
        ("connections: yes", False),
        ("connections: -1", False),
        ("connections: 1.5", False),
        ("time_limit_s: 0.5", True),
        ("time_limit_s: 600", True),
        ("time_limit_s: 601", False),
        ("time_limit_s: 0", False),
        ("time_limit_s: true", False),
        ("points: 1", True),
        ("points: 0", False),
        ("points: yes", False),
    ],
)
def test_spec_values_are_checked_at_and_past_their_bounds(
    tmp_path: Path, change: str, accepted: bool
) -> None:
    key = change.split(":")[0]
    text = SPEC.replace("time_limit_s: 7\npoints: 40\n", "")
    if key == "connections":
        text = text.replace(
            'messages: ["Wake up, Neo"]', f'messages: ["Wake up, Neo"]\n    {change}'
        )
    else:
        text = text.replace("defaults:", f"{change}\ndefaults:")
    if accepted:
        _spec(tmp_path, text)
        return
    with pytest.raises(BadInput) as refused:
        _spec(tmp_path, text)
    assert key in str(refused.value)


@pytest.mark.parametrize(("value", "accepted"), [("1", True), ("0", False), ("true", False)])
def test_every_limit_is_checked_at_and_past_its_bound(value: str, accepted: bool) -> None:
    for name in Limits.__annotations__:
        text = f"[limits]\n{name} = {value}\n"
        if accepted:
            assert getattr(parse_config(text, "grader.toml").limits, name) == 1
            continue
        with pytest.raises(BadInput, match=rf"\[limits\] {name} = .*: it must be a positive"):
            parse_config(text, "grader.toml")


# -- output that must stay inert ------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["relative", "absolute", "dotted", "symlink", "hard link"])
def test_output_refuses_the_graded_file_under_any_spelling(
    script: Callable[..., Path], tmp_path: Path, spelling: str
) -> None:
    path = script(PASS_P2, "mine.py")
    before = path.read_bytes()
    cwd = path.parent
    target = {
        "relative": "mine.py",
        "absolute": str(path),
        "dotted": f"../{cwd.name}/./mine.py",
    }.get(spelling)
    if spelling == "symlink":
        (cwd / "report.json").symlink_to(path)
        target = "report.json"
    elif spelling == "hard link":
        os.link(path, cwd / "report.json")
        target = "report.json"
    assert target is not None
    done = grade_cli("mine.py", "-p", "2", "-f", "json", "-o", target, cwd=cwd)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"grade: --output {target}: that is a file being graded; write the report elsewhere\n"
    )
    assert path.read_bytes() == before


INDENTED_COMMANDS = """
import socket
print("  ::error file=x.py::forged")
print("\\t::warning::forged")
print(" ::add-mask::x")
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(b"Wake up, Neo!")
"""


@pytest.mark.parametrize("fmt", ["text", "junit", "html", "json", "gradescope"])
def test_an_indented_workflow_command_of_the_learner_stays_inert_under_actions(
    script: Callable[..., Path], tmp_path: Path, fmt: str
) -> None:
    summary = tmp_path / "step_summary.md"
    summary.touch()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    path = str(script(INDENTED_COMMANDS))
    done = grade_cli(path, "-p", "2", "--format", fmt, "--verbose", env=env)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    if fmt == "text":
        # Fenced: between the opening and its token, no command is obeyed.
        token = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
        assert token and lines[-1] == f"::{token[1]}::"
        lines = lines[1:-1]
    if fmt != "gradescope":  # the others show the learner's output, quoted
        assert "forged" in done.stdout
    assert [line for line in lines if re.match(r"\s*::", line)] == []
    assert [line for line in done.stderr.splitlines() if "forged" in line] == []


BIDI = "\u202e\u2066\u200f"


@pytest.mark.parametrize("fmt", ["html", "text", "junit"])
def test_bidi_overrides_never_reach_a_report_raw(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / f"evil{BIDI[0]}yp.py"
    path.write_text(
        "import socket\n"
        f"print('turn{BIDI}around')\n"
        "with socket.socket() as s:\n"
        "    s.connect(('127.0.0.1', 9090))\n"
        f"    s.send('Wake up{BIDI}'.encode())\n"
        f"raise RuntimeError('no{BIDI}way')  # {BIDI}\n",
        encoding="utf-8",
    )
    done = grade_cli(path.name, "-p", "2", "--format", fmt, "--verbose", cwd=folder)
    assert done.returncode == 1, done.stderr
    assert "evil" in done.stdout and "turn" in done.stdout and "RuntimeError" in done.stdout
    raw = [ch for ch in BIDI if ch in done.stdout]
    assert raw == [], [hex(ord(ch)) for ch in raw]
