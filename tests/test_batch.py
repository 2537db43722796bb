"""Batches from the command line: each file's feedback with --verbose, and Ctrl-C mid-way.

Ctrl-C is a real SIGINT to a real ``grade`` process, sent once the progress bar on its terminal
(a pty) says the first file was graded; what it says there is said in English and in Russian.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_cli import FAIL_P2, PASS_P2, grade

SLEEPS_P2 = """
import socket, time
s = socket.socket()
s.connect(('127.0.0.1', 9090))
s.send(b'Wake up, Neo')
time.sleep(30)
"""


def test_verbose_batch_shows_each_files_feedback_then_the_table(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PASS_P2)
    (tmp_path / "b.py").write_text(FAIL_P2)
    quiet = grade(str(tmp_path), "-p", "2", "--no-color")
    assert "PASS problem 2" not in quiet.stdout and "FAIL problem 2" not in quiet.stdout
    loud = grade(str(tmp_path), "-p", "2", "--no-color", "--verbose")
    assert loud.returncode == 1
    out = loud.stdout
    assert out.index("PASS problem 2") < out.index("FAIL problem 2") < out.index("file ")
    assert "✗ closes the connection itself" in out  # b.py's feedback, every check
    assert out.rstrip().endswith("1 of 2 files passed")


# What a batch says on the terminal, in English and in Russian (--lang ru): the progress after
# the first file, the two lines of Ctrl-C, the table's first word and total, two verdicts.
CTRL_C_WORDS = {
    "en": (
        "1/5 graded",
        "grade: interrupted: no more gradings start; ending those running",
        "grade: interrupted: 2 of 5 files graded",
        ("file", "1 of 2 files passed", "PASS", "FAIL"),
    ),
    "ru": (
        "проверено 1/5",
        "grade: прервано: новые проверки не начинаются; идущие завершаются",
        "grade: прервано: проверено файлов: 2 из 5",
        ("файл", "зачтено файлов: 1 из 2", "ЗАЧТЕНО", "НЕ ЗАЧТЕНО"),
    ),
}


@pytest.mark.parametrize("lang", CTRL_C_WORDS)
def test_ctrl_c_keeps_what_finished_and_starts_nothing_more(tmp_path: Path, lang: str) -> None:
    progress, stopping, interrupted, (head, total, passed, failed) = CTRL_C_WORDS[lang]
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_pass.py").write_text(PASS_P2)
    for name in ("b_sleeps.py", "c_sleeps.py", "d_sleeps.py", "e_sleeps.py"):
        (folder / name).write_text(SLEEPS_P2)
    out = tmp_path / "out.jsonl"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", str(folder), "-p", "2", "--jobs", "1"]
        + ["--timeout", "3", "-f", "json", "-o", str(out), "--lang", lang],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while progress.encode() not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                shown += os.read(master, 4096)
        assert progress.encode() in shown, shown
        proc.send_signal(signal.SIGINT)  # b_sleeps.py is running: it ends, nothing more starts
        stdout, _ = proc.communicate(timeout=30)
        while True:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(master)
    assert proc.returncode == 130
    err = shown.decode("utf-8", "replace")
    assert stopping in err and interrupted in err
    table = stdout.splitlines()
    assert table[0].startswith(head) and table[-1] == total
    assert any("a_pass.py" in row and f"  {passed}  " in row for row in table)
    assert any("b_sleeps.py" in row and f"  {failed}  " in row for row in table)
    assert not any(name in stdout for name in ("c_sleeps", "d_sleeps", "e_sleeps"))
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [Path(r["submission"]).name for r in written] == ["a_pass.py", "b_sleeps.py"]
    # b_sleeps.py ran to its time limit and was judged, not abandoned.
    assert written[1]["verdict"] == "fail"
    assert any(c["name"] == "clean_end" and c["status"] == "failed" for c in written[1]["checks"])
