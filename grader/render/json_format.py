"""``--format json``: one object per grading, in the versioned schema ``grader/schema/report.schema.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader.report import Check, Report

SCHEMA_VERSION = "1.1"  # 1.1: points (score, max_score) and unreached checks


def as_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON data (the schema's ``report`` object)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": report.submission,
        "problem": report.problem,
        "title": report.title,
        "verdict": report.verdict,
        "exit_code": report.exit_code,
        "summary": report.summary(),
        "passed": report.passed_count,
        "total": len(report.checks),
        "isolation": report.isolation,
        "duration_s": round(report.duration_s, 4),
        "error": report.error or None,
        "checks": [_check(c) for c in report.checks],
        "score": report.score,
        "max_score": report.max_score,
        "unreached": [_check(c) for c in report.unreached],
    }


def _check(c: Check) -> dict[str, Any]:
    return {
        "name": c.name,
        "title": c.title,
        "run": c.run,
        "status": c.status,
        "passed": c.passed,
        "expected": c.expected,
        "observed": c.observed,
        "marker": c.marker,
        "hint": c.hint,
        "hint_key": c.hint_key,
        "score": c.score,
        "max_score": c.max_score,
        "line": c.line,
    }


def render_line(report: Report) -> str:
    """One report as a single line of JSON (JSON Lines, for batches)."""
    return json.dumps(as_dict(report), ensure_ascii=False)


def render(reports: Sequence[Report]) -> str:
    """One report: an indented object; several: JSON Lines."""
    if len(reports) == 1:
        return json.dumps(as_dict(reports[0]), ensure_ascii=False, indent=2) + "\n"
    return "".join(render_line(r) + "\n" for r in reports)
