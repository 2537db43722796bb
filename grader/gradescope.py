"""Gradescope's ``run_autograder``: grade the submitted script and always write results.json.

Strategy: Gradescope unpacks the student's upload into ``<root>/submission`` and shows whatever
``<root>/results/results.json`` says; a missing results.json reads as "the autograder failed".
So every path ends in a results file with the problem's full list of tests: a graded script;
no script, several scripts or an unreadable one (score 0, the reason in ``output``); a grader
fault (score 0, and ``output`` says it is not the student's fault). Only a crash of Python
itself escapes this, and ``integrations/gradescope/run_autograder`` writes the file then.

    python -m grader.gradescope --root /autograder --problem 3 [--points 100] [--file client.py]
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


def fault_results(reason: str) -> dict[str, object]:
    """A results object for a grading that never started: 0 points, not the student's fault."""
    return {
        "score": 0,
        "output": f"{NOT_YOUR_FAULT}\n{reason}",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"grader": "socket-grader", "fault": reason},
    }


def grade_submission(
    root: Path,
    problem: int | str,
    points: int | None,
    name: str | None,
    problems: Sequence[str] = (),
) -> Report:
    """Grade the script in ``root/submission``; every outcome is a Report with all the tests.

    ``problems``: the teacher's problem packs, searched before the built-in one."""
    from grader.api import Grader

    started = time.monotonic()
    with Grader.create(points=points, problems=problems) as grader:
        grader.spec(problem)  # a wrong problem number is the teacher's: raise BadInput
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
    p = argparse.ArgumentParser(prog="python -m grader.gradescope")
    p.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    p.add_argument("--problem", required=True, help="a problem number or name")
    p.add_argument("--problems", action="append", default=[], help="a problem pack (folder)")
    p.add_argument("--points", type=int)
    p.add_argument("--file", help="the script's name in the submission (default: the one .py)")
    args = p.parse_args(argv)
    root = Path(args.root)
    target = root / "results" / "results.json"
    try:
        report = grade_submission(root, args.problem, args.points, args.file, args.problems)
        results = as_results([report])
    except (BadInput, GraderFault) as exc:  # the autograder's set-up, not the student's file
        sys.stderr.write(f"run_autograder: {exc}\n")
        results = fault_results(str(exc))
    except Exception as exc:  # a bug of ours: the student still gets a result that says so
        sys.stderr.write(f"run_autograder: grader fault: {type(exc).__name__}: {exc}\n")
        results = fault_results(f"{type(exc).__name__}: {exc}")
    _write(results, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
