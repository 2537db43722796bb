"""Text fits the terminal: COLUMNS or the tty's width, from 60 to 100 columns; cuts marked with
``…``; ``--verbose`` shows the bytes that crossed the wire whole."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.api import Grader
from grader.render.text_format import render
from tests.conftest import SUBMISSIONS
from tests.test_cli import grade

BYTES_P3 = SUBMISSIONS / "p3" / "fail_print_str_of_bytes.py"


@pytest.mark.parametrize(
    ("columns", "width", "used"), [("40", 60, 56), ("72", 72, 66), ("250", 100, 80)]
)
def test_columns_sets_the_width_within_60_to_100(columns: str, width: int, used: int) -> None:
    result = grade(str(BYTES_P3), "-p", "3", "--seed", "5", env={"COLUMNS": columns})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert max(len(line) for line in lines) >= used  # the room is used, not a fixed 60


def test_a_terminal_of_70_columns_gets_70(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 70, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", str(BYTES_P3), "-p", "3", "--no-color"],
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
    lines = shown.decode().replace("\r\n", "\n").splitlines()
    assert lines[0].startswith("FAIL problem 3")
    assert 66 <= max(len(line) for line in lines) <= 70


def test_a_cut_is_marked_and_verbose_shows_the_bytes_whole(grader: Grader) -> None:
    report = grader.grade(BYTES_P3, 3, seed=5)
    transcript = report.transcript(report.runs[1])
    assert transcript is not None
    reply = next(e.text for e in transcript.events if e.who == "server")
    assert reply.startswith("b'") and reply.endswith("'") and len(reply) > 60  # whole
    short = render([report], width=60).splitlines()
    cut = [line for line in short if "server ← " in line]
    assert cut and all(line.endswith("…") and len(line) == 60 for line in cut)
    full = render([report], verbose=True, width=60).split("\n")
    start = next(i for i, line in enumerate(full) if reply[:20] in line)
    shown = full[start].split("← ", 1)[1] + "".join(
        line.strip() for line in full[start + 1 : start + 8] if line.startswith(" " * 23)
    )
    assert shown.startswith(reply)


def test_show_fits_the_terminal_too(script: Callable[..., Path]) -> None:
    result = grade("--show", "4", env={"COLUMNS": "60"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 60
