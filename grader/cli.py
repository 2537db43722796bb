"""``grade FILE... --problem N``: the command line. Exit 0 pass, 1 fail, 2 bad input, 3 grader fault.

Strategy: parse, grade through the library, render through ``grader.render``; every error the
user can fix becomes one or two lines on stderr naming the thing and the fix (never a
traceback), and anything unexpected is a grader fault (exit 3) with a one-line reason.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.errors import BadInput, GraderFault

if TYPE_CHECKING:
    from grader.api import Grader

from grader.report import EXIT_BAD_INPUT, EXIT_GRADER_FAULT, EXIT_PASS, Report

FORMATS = ("text", "json", "junit", "html", "gradescope")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"grade: {message}\n")
        sys.stderr.write("usage: grade FILE... --problem N [--format F] (see grade --help)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="grade",
        description="Grade a learner's TCP client script for one of the five socket problems.",
        epilog="Exit status: 0 every check passed, 1 a check failed, 2 bad input, 3 grader fault.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .py file, several, or a folder")
    p.add_argument("--problem", "-p", type=int, required=True, metavar="N", help="problem 1-5")
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format")
    p.add_argument("--output", "-o", metavar="FILE", help="also write the report here")
    p.add_argument("--jobs", "-j", type=int, metavar="K", help="gradings side by side")
    p.add_argument("--timeout", type=float, metavar="S", help="time limit per run, seconds")
    p.add_argument("--config", metavar="FILE", help="a grader.toml (default: the shipped one)")
    p.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    p.add_argument("--broker", metavar="URL", help="grade on queue workers (redis://HOST:PORT/DB)")
    return p


def _expand(paths: Sequence[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.py") if p.is_file())
            if not found:
                raise BadInput(f"{path}: the folder holds no .py files")
            out.extend(found)
        else:
            out.append(path)
    return out


def _write_atomically(target: Path, text: str) -> None:
    target = target.resolve()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def _colour(stream: TextIO, no_color: bool) -> bool:
    return not no_color and stream.isatty() and not os.environ.get("NO_COLOR")


def _exit_status(reports: Sequence[Report]) -> int:
    return max((r.exit_code for r in reports), default=EXIT_PASS)


def _annotate_github(reports: Sequence[Report], out: TextIO) -> None:
    """GitHub Actions workflow commands: each failure as an ``::error`` on the file."""

    def esc(text: str, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    for r in reports:
        if r.error:
            out.write(f"::error file={esc(r.submission, True)},title=grader::{esc(r.error)}\n")
        for c in r.failed_checks:
            title = esc(f"problem {r.problem}: {c.title} [{c.run}]", True)
            body = esc(f"expected: {c.expected}\nobserved: {c.observed}\ntry: {c.hint}")
            out.write(f"::error file={esc(r.submission, True)},title={title}::{body}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BadInput as exc:
        sys.stderr.write(f"grade: {exc}\n")
        return EXIT_BAD_INPUT
    except GraderFault as exc:
        sys.stderr.write(f"grade: grader fault: {exc}\n")
        return EXIT_GRADER_FAULT
    except KeyboardInterrupt:
        sys.stderr.write("grade: interrupted\n")
        return 130
    except Exception as exc:  # a bug of ours: say so in one line, with the exit status that says so
        sys.stderr.write(f"grade: grader fault: {type(exc).__name__}: {exc}\n")
        return EXIT_GRADER_FAULT


def _run(args: argparse.Namespace) -> int:
    from grader.config import load_config
    from grader.observe.process import Zygote

    if args.jobs is not None and args.jobs < 1:
        raise BadInput(f"--jobs {args.jobs}: give 1 or more")
    config = load_config(args.config)
    config.with_time_limit(args.timeout)  # validates it
    if args.broker:  # graded by grade-worker processes elsewhere (see README), rendered here
        from grader.queue.remote import RemoteGrader

        with RemoteGrader(args.broker, args.timeout) as remote:
            return _grade(remote, args)  # type: ignore[arg-type]  # spec, grade, grade_many
    # Start the worker interpreter first: it boots while the rest of the grader is imported.
    zygote = Zygote("routed" if config.isolation == "routed" else "auto")
    from grader.api import Grader

    with Grader(config, zygote, args.timeout) as grader:
        return _grade(grader, args)


def _grade(grader: Grader, args: argparse.Namespace) -> int:
    from grader.render import renderer

    grader.spec(args.problem)
    paths = _expand(args.paths)
    batch = len(paths) > 1 or any(Path(p).is_dir() for p in args.paths)
    if not batch:
        reports = [grader.grade(paths[0], args.problem)]
    else:
        from grader.batch import run_batch

        reports = run_batch(grader, paths, args.problem, args.jobs, args.format, args.no_color)
    _emit(reports, args, batch, renderer)
    return _exit_status(reports)


def _emit(reports: list[Report], args: argparse.Namespace, batch: bool, renderer) -> None:  # type: ignore[no-untyped-def]
    out = sys.stdout
    colour = _colour(out, args.no_color)
    if args.format == "text":
        if not batch:
            out.write(renderer("text")(reports, colour=colour))
    elif not (batch and args.format == "json"):  # batch JSON Lines were streamed as they came
        if args.output is None:
            out.write(renderer(args.format)(reports))
    if args.output is not None:
        _write_atomically(Path(args.output), renderer(args.format)(reports))
        if args.format != "text" and not batch:
            out.write(renderer("text")(reports, colour=colour))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        _annotate_github(reports, out)
    out.flush()
