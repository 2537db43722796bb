"""``--format classroom``: the ``result`` a GitHub Classroom test runner hands to the reporter.

GitHub Classroom's grading reporter reads each runner step's ``result`` output: base64 of one
JSON object, version 1, with ``status`` (``pass``/``fail``/``error``), ``max_score`` and
``tests``, each with ``name``, ``status``, ``score``, ``message``, ``test_code``, ``filename``,
``line_no`` and ``duration`` (milliseconds); it sums the tests' scores. The tests are the
Report's ``tests`` (every run × check, judged or not) with the points the Report gave them, so
a problem earns partial credit check by check and every submission lists the same tests.
This renderer prints the base64 line; ``payload`` is the object before encoding.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from grader.i18n import Catalogue, english
from grader.render.plain import feedback, points_number
from grader.report import Check, Report

VERSION = 1


def _status(report: Report) -> str:
    return {"pass": "pass", "fail": "fail", "invalid": "fail"}.get(report.verdict, "error")


def _message(report: Report, check: Check, words: Catalogue) -> str:
    if check.status == "failed":
        return feedback(check, words)
    if check.status == "skipped":
        if report.error:
            return f"{check.hint}: {report.error}"
        return check.hint
    return ""


def _source_note(report: Report) -> str:
    """The file's own failure (not Python, not UTF-8), which belongs to no run."""
    source = [c for c in report.checks if c.name == "source" and c.status == "failed"]
    return f"{source[0].observed}\n" if source else ""


def _tests(report: Report, several: bool, words: Catalogue) -> list[dict[str, Any]]:
    prefix = f"{report.submission}: " if several else ""
    durations = {o.run: round(o.duration_s * 1000) for o in report.outcomes}
    note = _source_note(report)
    tests = []
    for check in report.tests:
        status = "pass" if check.passed else ("error" if report.verdict == "error" else "fail")
        message = _message(report, check, words)
        tests.append(
            {
                "name": f"{prefix}{check.run}: {check.title}",
                "status": status,
                "score": points_number(check.score),
                "message": (note + message) if note and check.status == "skipped" else message,
                "test_code": f"grade {report.submission} --problem {report.problem}",
                "filename": report.submission,
                "line_no": check.line or 0,
                "duration": durations.get(check.run, 0),
            }
        )
    return tests


def payload(reports: Sequence[Report], words: Catalogue | None = None) -> dict[str, Any]:
    """The reports as one version-1 result object (a batch: one test list, names prefixed);
    its messages in ``words``' language (default English)."""
    words = words or english()
    several = len(reports) > 1
    statuses = {_status(r) for r in reports}
    status = "error" if "error" in statuses else ("fail" if "fail" in statuses else "pass")
    return {
        "version": VERSION,
        "status": status,
        "max_score": points_number(sum(r.max_score for r in reports)),
        "tests": [test for report in reports for test in _tests(report, several, words)],
    }


def render(reports: Sequence[Report], words: Catalogue | None = None) -> str:
    """The base64 line a runner sets as its ``result`` output."""
    raw = json.dumps(payload(reports, words), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(raw.encode("utf-8", "backslashreplace")).decode("ascii") + "\n"
