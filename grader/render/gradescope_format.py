"""``--format gradescope``: the ``results.json`` a Gradescope autograder leaves in /autograder/results.

Fields as Gradescope's autograder specification names them: top-level ``score``, ``output``,
``execution_time`` (seconds), ``tests`` and ``extra_data``; per test ``name``, ``score``,
``max_score``, ``status`` (``passed``/``failed``), ``output``, ``number`` and ``visibility``.
The tests are the Report's ``tests``: every run × check of the problem with the points the
Report gave it, judged or not, so every submission lists the same tests and the scores add up
to the problem's points. A check that was not judged scores 0 and says why. The top-level
``output`` gives the points, then the first mistake in full (expected, observed, what to try),
and what concerns the whole submission (the file is not Python, could not be read, the grader
failed); a grader failure says it is not the student's fault. ``execution_time`` is the
grading's real time in seconds. Several reports make one combined file whose test names carry
the submission.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader.i18n import MESSAGES, Catalogue, english
from grader.render.plain import feedback, points_number, points_text, summary
from grader.report import Check, Report


def _text(value: str) -> str:
    """``value`` encodable as UTF-8 (a lone surrogate from an undecodable file name becomes ?)."""
    return value.encode("utf-8", "replace").decode("utf-8")


def check_output(check: Check, words: Catalogue | None = None) -> str:
    """What a learner reads under the test: the finding, and for a failure what to try."""
    words = words or english()
    if check.status == "skipped":
        return check.hint or words.message("platform.earlier_failed")
    return feedback(check, words)


def _tests(report: Report, several: bool, words: Catalogue) -> list[dict[str, Any]]:
    prefix = f"{report.submission}: " if several else ""
    return [
        {
            "name": _text(f"{prefix}{check.run}: {check.title}"),
            "number": f"{report.problem}.{number}",
            "score": points_number(check.score),
            "max_score": points_number(check.max_score),
            "status": "passed" if check.passed else "failed",
            "output": _text(check_output(check, words)),
            "output_format": "text",
            # A hidden run's test shows its title and points once the due date has passed.
            "visibility": "after_due_date" if check.hidden else "visible",
        }
        for number, check in enumerate(report.tests, start=1)
    ]


NOT_YOUR_FAULT = MESSAGES["platform.not_your_fault"]  # in English, for a grading never started


def _summary(report: Report, several: bool, words: Catalogue) -> str:
    score, most = points_text(report.score), points_text(report.max_score)
    line = words.message(
        "platform.headline", problem=report.problem, title=report.title, score=score, max=most
    )
    if report.verdict in ("pass", "fail"):
        line += f"; {summary(report, words)}"
    lines = [f"{report.submission}: {line}" if several else line]
    if report.verdict == "error":
        lines += [words.message("platform.not_your_fault"), report.error]
    elif report.verdict == "invalid":
        lines += [words.message("platform.not_graded"), report.error]
    first = report.first_mistake
    if first is not None:  # the one mistake to fix first, in full, where the student looks first
        if first.name == "source":
            said = words.message("platform.first_mistake_file", title=first.title)
        else:
            said = words.message("platform.first_mistake", title=first.title, run=first.run)
        lines += ["", said, feedback(first, words)]
    return _text("\n".join(lines))


def as_results(reports: Sequence[Report], words: Catalogue | None = None) -> dict[str, Any]:
    """All reports as one Gradescope results object; its sentences in ``words``' language."""
    words = words or english()
    several = len(reports) > 1
    tests = [test for report in reports for test in _tests(report, several, words)]
    return {
        "score": points_number(sum(r.score for r in reports)),
        "output": "\n\n".join(_summary(r, several, words) for r in reports),
        "output_format": "text",
        "execution_time": round(sum(r.duration_s for r in reports), 3),  # seconds
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
                    "total": len(r.tests),
                    "score": points_number(r.score),
                    "max_score": points_number(r.max_score),
                }
                for r in reports
            ],
        },
    }


def render(reports: Sequence[Report], words: Catalogue | None = None) -> str:
    """The ``results.json`` text; its sentences in ``words``' language (default English)."""
    return json.dumps(as_results(reports, words), ensure_ascii=False, indent=2) + "\n"
