"""Gradescope's ``run_autograder``: grade the submitted script and always write results.json.

Strategy: Gradescope unpacks the student's upload into ``<root>/submission`` and shows whatever
``<root>/results/results.json`` says; a missing results.json reads as "the autograder failed".
So every path ends in a results file with the problem's full list of tests: a graded script;
no script, several scripts or an unreadable one (score 0, the reason in ``output``); a grader
fault (score 0, and ``output`` says it is not the student's fault). Only a crash of Python
itself escapes this, and ``integrations/gradescope/run_autograder`` writes the file then.

    python -m grader.gradescope --root /autograder --problem 3 [--points 100] [--timeout 5]
                                [--file client.py]

The settings arrive as the teacher wrote them in grader.env, as text, and are checked here: a
wrong one (an unknown problem, points that are not quarters, a time limit that is no number)
gives a results.json that says which and how to fix it, never a usage message in a log.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from grader.errors import BadInput, GraderFault
from grader.i18n import catalogue
from grader.render.gradescope_format import NOT_YOUR_FAULT, as_results
from grader.report import Report


def _choose(submission: Path, name: str | None) -> tuple[Path, str]:
    """The script to grade, and the reason it cannot be graded ("" when it can)."""
    if name:
        return submission / name, ""
    found = sorted(p for p in submission.glob("*.py") if not p.name.startswith("."))
    if len(found) == 1:
        return found[0], ""
    if not found:
        return submission / "submission.py", (
            "No .py file was submitted. Upload your client script (one .py file)."
        )
    names = ", ".join(p.name for p in found)
    return submission / found[0].name, (
        f"Several .py files were submitted ({names}); upload only your client script."
    )


def _write(results: dict[str, object], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".results.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


NOT_SET_UP = (
    "The autograder's settings are wrong, so nothing was graded; this is not your mistake. "
    "Please tell your teacher."
)


def fault_results(reason: str, seconds: float = 0.0, setup: bool = False) -> dict[str, object]:
    """A results object for a grading that never started: 0 points, not the student's fault.

    ``setup``: the autograder's settings are wrong (an unknown problem, bad points or time
    limit), which the teacher fixes; else the grader itself failed.
    """
    return {
        "score": 0,
        "output": f"{NOT_SET_UP if setup else NOT_YOUR_FAULT}\n{reason}",
        "output_format": "text",
        "execution_time": round(seconds, 3),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"grader": "socket-grader", "fault": reason},
    }


def settings(
    problem: str, points: str | None, timeout: str | None
) -> tuple[int | str, float | None, float | None]:
    """The problem (a number or a pack's name), points and time limit as given in grader.env,
    the last two checked (``BadInput``); the problem is checked when its spec is looked up."""
    from grader.config import load_config
    from grader.judge.scoring import parse_points

    number: int | str = int(problem) if problem.strip().isdigit() else problem.strip()
    limit = None
    if timeout:
        try:
            limit = float(timeout)
        except ValueError:
            raise BadInput(
                f"GRADER_TIMEOUT {timeout!r}: give a number of seconds, such as 5"
            ) from None
        try:
            load_config().with_time_limit(limit)
        except BadInput as exc:
            raise BadInput(str(exc).replace("--timeout", "GRADER_TIMEOUT")) from None
    return number, parse_points(points, "GRADER_POINTS") if points else None, limit


def grade_submission(
    root: Path,
    problem: int | str,
    points: float | None,
    name: str | None,
    time_limit_s: float | None = None,
    problems: Sequence[str] = (),
) -> Report:
    """Grade the script in ``root/submission``; every outcome is a Report with all the tests.

    ``problems``: the teacher's problem packs, searched before the built-in one. Raises
    ``BadInput`` for the autograder's own settings (an unknown problem, too few points for its
    tests): those are the teacher's to fix, and no test list can be made.
    """
    from grader.api import Grader, points_of

    started = time.monotonic()
    with Grader.create(time_limit_s=time_limit_s, points=points, problems=problems) as grader:
        points_of(grader.spec(problem), points, "GRADER_POINTS")
        path, reason = _choose(root / "submission", name)
        if reason:
            return grader.ungraded(path.name, problem, "invalid", reason)
        try:
            return grader.grade(path, problem)
        except BadInput as exc:
            return grader.ungraded(path.name, problem, "invalid", _student_words(str(exc), root))
        except (GraderFault, OSError) as exc:
            spent = time.monotonic() - started
            return grader.ungraded(path.name, problem, "error", str(exc), spent)


def _student_words(message: str, root: Path) -> str:
    """A bad-input message about the student's file, without the machine's folders."""
    return message.replace(str(root / "submission") + "/", "")


def main(argv: Sequence[str] | None = None) -> int:
    """Grade and write results.json; exit 0 whenever the file was written."""
    started = time.monotonic()
    p = argparse.ArgumentParser(prog="python -m grader.gradescope")
    p.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    p.add_argument("--problem", required=True, help="GRADER_PROBLEM: a problem number or name")
    p.add_argument("--problems", action="append", default=[], help="a problem pack (folder)")
    p.add_argument("--points", help="GRADER_POINTS")
    p.add_argument("--timeout", help="GRADER_TIMEOUT: seconds per run")
    p.add_argument("--file", help="the script's name in the submission (default: the one .py)")
    args = p.parse_args(argv)
    root = Path(args.root)
    target = root / "results" / "results.json"
    try:
        problem, points, limit = settings(args.problem, args.points, args.timeout)
        report = grade_submission(root, problem, points, args.file, limit, args.problems)
        results = as_results([report], catalogue())  # the report's language: LANG's
    except BadInput as exc:  # the autograder's settings, not the student's file
        sys.stderr.write(f"run_autograder: {exc}\n")
        results = fault_results(str(exc), setup=True)
    except GraderFault as exc:
        sys.stderr.write(f"run_autograder: {exc}\n")
        results = fault_results(str(exc))
    except Exception as exc:  # a bug of ours: the student still gets a result that says so
        sys.stderr.write(f"run_autograder: grader fault: {type(exc).__name__}: {exc}\n")
        results = fault_results(f"{type(exc).__name__}: {exc}")
    # What Gradescope shows as the run's time: all of it, set-up included, not only the runs.
    results["execution_time"] = round(time.monotonic() - started, 3)
    _write(results, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
