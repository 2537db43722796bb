"""``--format gradescope``: the ``results.json`` a Gradescope autograder leaves in /autograder/results.

Fields as Gradescope's autograder specification names them: top-level ``score``, ``output``,
``execution_time`` (seconds), ``tests`` and ``extra_data``; per test ``name``, ``score``,
``max_score``, ``status`` (``passed``/``failed``), ``output`` and ``visibility``. Every check is
one test worth one point; a skipped check is a failed test worth nothing whose output says why it
was not judged. A submission that could not be graded is one failed test worth nothing whose
output says why, so the learner is never left with an empty result. Several reports make one
combined file whose test names carry the submission.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader.render.plain import feedback
from grader.report import Check, Report


def _text(value: str) -> str:
    """``value`` encodable as UTF-8 (a lone surrogate from an undecodable file name becomes ?)."""
    return value.encode("utf-8", "replace").decode("utf-8")


def check_output(check: Check) -> str:
    """What a learner reads under the test: the finding, and for a failure what to try."""
    if check.status == "skipped":
        return check.hint or "not judged: an earlier check failed"
    return feedback(check)


def _tests(report: Report, several: bool) -> list[dict[str, Any]]:
    prefix = f"{report.submission}: " if several else ""
    tests: list[dict[str, Any]] = []
    for check in report.checks:
        tests.append(
            {
                "name": _text(f"{prefix}problem {report.problem} [{check.run}] {check.title}"),
                "score": 1 if check.passed else 0,
                "max_score": 1,
                "status": "passed" if check.passed else "failed",
                "output": _text(check_output(check)),
                "output_format": "text",
                "visibility": "visible",
            }
        )
    if report.verdict in ("invalid", "error"):
        reason = (
            "The grader itself failed; this is not your mistake. Please tell your teacher."
            if report.verdict == "error"
            else "The submission could not be graded."
        )
        tests.append(
            {
                "name": _text(f"{prefix}problem {report.problem}: grading"),
                "score": 0,
                "max_score": 0,
                "status": "failed",
                "output": _text(f"{reason}\n{report.error}"),
                "output_format": "text",
                "visibility": "visible",
            }
        )
    return tests


def _summary(report: Report, several: bool) -> str:
    line = f"Problem {report.problem} ({report.title}): {report.summary()}"
    return _text(f"{report.submission}: {line}" if several else line)


def as_results(reports: Sequence[Report]) -> dict[str, Any]:
    """All reports as one Gradescope results object."""
    several = len(reports) > 1
    tests = [test for report in reports for test in _tests(report, several)]
    return {
        "score": sum(test["score"] for test in tests),
        "output": "\n".join(_summary(r, several) for r in reports),
        "output_format": "text",
        "execution_time": round(sum(r.duration_s for r in reports)),  # whole seconds
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "grader": "socket-grader",
            "reports": [
                {
                    "submission": _text(r.submission),
                    "problem": r.problem,
                    "verdict": r.verdict,
                    "exit_code": r.exit_code,
                    "passed": r.passed_count,
                    "total": len(r.checks),
                }
                for r in reports
            ],
        },
    }


def render(reports: Sequence[Report]) -> str:
    return json.dumps(as_results(reports), ensure_ascii=False, indent=2) + "\n"
