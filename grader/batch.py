"""Many files at once from the command line: progress on a terminal, a summary table at the end.

A folder is searched for ``.py`` files, passing over hidden folders, virtual environments and
symbolic links (``find_scripts``).

JSON is streamed as JSON Lines, one line per file as each finishes, so a consumer can follow a
long batch; the other formats are rendered once the batch is complete. Ctrl-C stops starting
gradings and keeps what finished (``Batch.interrupted``).
"""

from __future__ import annotations

import inspect
import os
import queue
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from grader.api import Grader
from grader.i18n import Catalogue, english
from grader.render.plain import points_text
from grader.report import Report
from grader.show import display_path

# Where a virtual environment or tooling keeps Python files that are not submissions.
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})


def _skipped_folder(folder: Path) -> bool:
    """Hidden folders, virtual environments and tool caches hold no submissions."""
    return (
        folder.name.startswith(".")
        or folder.name in SKIPPED_FOLDERS
        or (folder / "pyvenv.cfg").is_file()
    )


def find_scripts(folder: Path, words: Catalogue | None = None) -> tuple[list[Path], list[str]]:
    """The .py files under ``folder``, and what was passed over (folders, symbolic links), said
    in the language of ``words``.

    Symbolic links met inside are never followed: a link could lead anywhere on the machine.
    """
    words = words or english()
    found: list[Path] = []
    skipped: list[str] = []
    for here, dirs, files in os.walk(folder):
        base = Path(here)
        for name in sorted(dirs):
            sub = base / name
            if sub.is_symlink():
                skipped.append(words.message("batch.link", path=sub))
                dirs.remove(name)
            elif _skipped_folder(sub):
                skipped.append(f"{sub}/")
                dirs.remove(name)
        for name in files:
            if name.endswith(".py"):
                path = base / name
                if path.is_symlink():
                    skipped.append(words.message("batch.link", path=path))
                elif path.is_file():
                    found.append(path)
    return sorted(found), skipped


def _progress(stream: TextIO, done: int, total: int, failed: int, words: Catalogue) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "." * (width - filled)
    said = words.message("batch.progress", done=done, total=total, failed=failed)
    stream.write(f"\r[{bar}] {said}")
    stream.flush()


def summary_table(reports: Sequence[Report], words: Catalogue | None = None) -> str:
    """file, verdict, points, failed checks, time: one row per report, in the order given, in
    the language of ``words`` (English by default)."""
    words = words or english()
    keys = ("file", "verdict", "points", "failed", "time")
    rows = [tuple(words.message(f"batch.{key}") for key in keys)]
    for r in reports:
        failed = ", ".join(dict.fromkeys(c.title for c in r.failed_checks)) or (r.error or "-")
        points = f"{points_text(r.score)}/{points_text(r.max_score)}"
        seconds = words.message("batch.seconds", seconds=f"{r.duration_s:.2f}")
        verdict = words.message(f"verdict.{r.verdict}")
        rows.append((r.submission, verdict, points, failed[:70], seconds))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=False))
        + f"  {row[4]}"
        for row in rows
    ]
    passed = sum(1 for r in reports if r.passed)
    lines.append(words.message("batch.passed", passed=passed, total=len(reports)))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Batch:
    """The reports of a batch, in input order, and whether Ctrl-C cut it short."""

    reports: list[Report]
    interrupted: bool = False


_DONE = object()


def run_batch(
    grader: Grader,
    paths: Sequence[Path],
    problem: int,
    jobs: int | None,
    stream_json: bool,
    words: Catalogue | None = None,
) -> Batch:
    """Grade ``paths``, streaming JSON Lines to stdout if asked and showing progress on a
    terminal; return the reports in input order (the caller prints the rest).

    Ctrl-C stops starting gradings: those running end (within their time limit) and are kept
    with those finished, and the batch says it was interrupted. Ctrl-C only sets a flag (a
    handler of SIGINT while the batch runs), and the gradings are consumed in a thread of their
    own, so the interrupt never lands half-way through the pool or the loop. What is said on a
    terminal is in the language of ``words``.
    """
    from grader.render.json_format import render_line

    words = words or english()
    show_progress = sys.stderr.isatty()
    order = {display_path(p): i for i, p in enumerate(paths)}
    stop = threading.Event()
    arrived: queue.Queue[object] = queue.Queue()
    supports_stop = "stop" in inspect.signature(grader.grade_many).parameters

    def consume() -> None:
        try:
            many = (
                grader.grade_many(paths, problem, jobs, stop=stop)
                if supports_stop
                else grader.grade_many(paths, problem, jobs)
            )
            for report in many:
                arrived.put(report)
                if stop.is_set() and not supports_stop:
                    break
        except BaseException as exc:  # raised again in the caller's thread
            arrived.put(exc)
        finally:
            arrived.put(_DONE)

    interrupted = threading.Event()

    def on_interrupt(_signum: int, _frame: object) -> None:
        if not interrupted.is_set():
            sys.stderr.write(f"\ngrade: {words.message('batch.stopping')}\n")
        interrupted.set()
        stop.set()

    # Ctrl-C becomes a flag, wherever the loop below is when it comes: nothing is half done.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main else None
    consumer = threading.Thread(target=consume, name="batch", daemon=True)
    consumer.start()
    reports: list[Report] = []
    failed = 0
    try:
        while True:
            try:
                item = arrived.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Report)
            reports.append(item)
            failed += not item.passed
            if stream_json:
                sys.stdout.write(render_line(item) + "\n")
                sys.stdout.flush()
            if show_progress:
                _progress(sys.stderr, len(reports), len(paths), failed, words)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
    if show_progress:
        sys.stderr.write("\n")
    reports.sort(key=lambda r: order.get(r.submission, len(order)))
    return Batch(reports, interrupted.is_set())
