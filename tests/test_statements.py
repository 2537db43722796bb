"""What a learner runs before grading: the problems' statements and the server tried by hand.

The statements come from the specs alone and say what PROBLEMS.md says; ``grade serve`` plays a
problem's server from the installed package, a wheel included.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path
from typing import IO

import pytest

from grader.cli import main
from grader.i18n import english
from grader.problem.spec import available_problems, load_spec
from grader.problem.statement import statement
from tests.conftest import ROOT

PROBLEMS_MD = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), None
)


def _flat(text: str) -> str:
    return " ".join(text.replace("**", "").replace("`", "").split())


@pytest.mark.skipif(PROBLEMS_MD is None, reason="the requirement lives beside the repository")
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_each_statement_says_what_the_requirement_says(number: int) -> None:
    assert PROBLEMS_MD is not None
    text = (PROBLEMS_MD / "PROBLEMS.md").read_text(encoding="utf-8")
    section = re.search(rf"^## Problem {number} — (.+?)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section is not None
    spec = load_spec(number)
    assert spec.title == section.group(1).strip()
    task, _, judged = section.group(2).partition("*Judged")
    assert _flat(spec.task) == _flat(task)
    assert spec.judged
    for rule in spec.judged:
        assert _flat(rule) in _flat(judged), rule


def test_show_prints_the_task_an_example_session_and_the_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--show", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Problem 3: Question and answer\n\nRead one line (a message)")
    assert 'Example (run “Latin text”):\n  input     "Hello, server, it\'s me\\n"\n' in out
    assert '  sends     b"Hello, server, it\'s me"\n' in out
    # The example's reply is the reference server's own, and what is printed is it, decoded.
    reply = statement(load_spec(3), english()).examples[0].lines[2][1]
    printed = re.search(r"^  prints    (.+)$", out, re.M)
    assert printed is not None and reply == f"{printed.group(1)!r} encoded as UTF-8"
    assert "Judged in 3 runs (“Latin text”, “non-ASCII letters”, “an emoji”):\n" in out
    assert "  - the output is exactly the reply\n" in out
    assert "grade serve 3" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_show_of_problem_5_shows_both_situations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--show", "5"]) == 0
    out = capsys.readouterr().out
    assert "Example (run “server down”):\n  server    down: connect() raises Connection" in out
    assert "  prints    Connection refused\n" in out


def test_list_names_every_problem_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    for number in available_problems():
        assert out.count(f"Problem {number}: {load_spec(number).title}\n") == 1
    assert out.rstrip().endswith("grade --show N.")


def test_an_unknown_problem_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--show", "9"]) == 2
    assert capsys.readouterr().err == (
        "grade: unknown problem 9: no pack holds it; known problems: 1 (knock), 2 (wake-up), "
        "3 (question), 4 (keep-talking), 5 (nobody-home)\n"
    )


def test_grading_still_needs_files_and_a_problem(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["client.py"])
    assert ended.value.code == 2
    assert "give FILE... and --problem N" in capsys.readouterr().err


class Lines:
    """A child's pipe read line by line in a thread, so every wait on it has a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = ""
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put("")

    def until(self, pattern: str, deadline: float) -> re.Match[str]:
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if not line:
                break
            self.seen += line
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no {pattern!r} in {self.seen!r}")


def _try_by_hand(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Serve problem 3 on a free port, talk to it as a learner's script would, stop it."""
    proc = subprocess.Popen(
        [*command, "serve", "3", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        deadline = time.monotonic() + 30
        port = int(err.until(r"listening on 127\.0\.0\.1:(\d+)", deadline)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall("Привет".encode())
            reply = client.recv(1024).decode()
        assert "Got 12 bytes" in reply
        out.until(r"closes \(FIN\)", deadline)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        assert proc.returncode == 0
        err.until("^stopped$", deadline)
        return reply
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_serve_plays_the_reference_server_and_prints_the_exchange() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "serve", "3", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        deadline = time.monotonic() + 30
        port = int(err.until(r"listening on 127\.0\.0\.1:(\d+)", deadline)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(b"Hi")  # not the example's message: answered all the same
            reply = client.recv(1024)
        out.until(r"connection from port \d+", deadline)
        assert out.until(r"→ (.*)", deadline)[1] == "b'Hi'"
        sent = out.until(r"← (b.*?)  \((.*)\)", deadline)
        assert sent[1] == repr(reply) and sent[2] == reply.decode()
        out.until(r"closes \(FIN\)", deadline)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_serve_on_a_port_in_use_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "2", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


@pytest.mark.timeout(300)
def test_a_wheel_install_shows_and_serves(tmp_path: Path) -> None:
    """Built as a wheel and installed elsewhere: the specs, servers and catalogues come along."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=240,
    )
    (wheel,) = wheels.glob("socket_grader-*.whl")
    env_dir = tmp_path / "env"
    venv.create(env_dir, system_site_packages=False, with_pip=False)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    # The installed package and its dependencies, never the checkout.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *deps])}
    python = str(env_dir / "bin" / "python")
    shown = subprocess.run(
        [python, "-m", "grader", "--show", "4"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Problem 4: Keep talking\n")
    russian = subprocess.run(
        [python, "-m", "grader", "--show", "1", "--lang", "ru"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert russian.stdout.startswith("Задача 1: Тук-тук\n"), russian.stderr  # the .mo came along
    where = subprocess.run(
        [python, "-c", "import grader; print(grader.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert where.stdout.startswith(str(target))
    _try_by_hand([python, "-m", "grader"], tmp_path, env)
