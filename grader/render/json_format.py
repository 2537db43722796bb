"""``--format json``: one object per grading, in the versioned schema ``grader/schema/report.schema.json``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from grader.render.plain import points_number
from grader.report import Check, Report

# 1.1: points (score, max_score) and unreached checks; 1.2: seed, diagnosis and transcripts;
# 1.3: a check's ``hidden`` (a hidden run's: its inputs and bytes are not shown);
# 2.0: points in quarters (numbers, not integers), passed/total over ``tests``, and ``tests``;
# 2.1: packets (each run's packet ladder, when captured)
SCHEMA_VERSION = "2.1"


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
        "total": len(report.tests),
        "isolation": report.isolation,
        "duration_s": round(report.duration_s, 4),
        "error": report.error or None,
        "checks": [_check(c) for c in report.checks],
        "tests": [_check(c) for c in report.tests],
        "score": points_number(report.score),
        "max_score": points_number(report.max_score),
        "unreached": [_check(c) for c in report.unreached],
        "seed": report.seed,
        "diagnosis": _diagnosis(report),
        "transcripts": [
            {
                "run": t.run,
                "stdin": t.stdin,
                "events": [
                    {
                        "at_s": e.at_s,
                        "who": e.who,
                        "kind": e.kind,
                        "text": e.text,
                        "connection": e.connection,
                    }
                    for e in t.events
                ],
                "stdout": t.stdout,
                "stderr": t.stderr,
                "exception": t.exception,
                "ending": t.ending,
                "duration_s": round(t.duration_s, 4),
            }
            for t in report.transcripts
        ],
        "packets": _ladders(report),
    }


def _ladders(report: Report) -> list[dict[str, Any]]:
    """Each run's packets (``grade --pcap``): its pcap file and its ladder."""
    return [
        {
            "run": ladder.run,
            "pcap": ladder.pcap,
            "seen": ladder.seen,
            "kept": len(ladder.packets),
            "marked": ladder.marked,
            "mark": ladder.mark,
            "packets": [dataclasses.asdict(p) for p in ladder.packets],
        }
        for ladder in report.ladders
    ]


def _diagnosis(report: Report) -> dict[str, Any] | None:
    d = report.diagnosis
    root = report.diagnosed
    if d is None or root is None:
        return None
    return {
        "check": d.check,
        "hint_key": d.hint_key,
        "mistake": root.mistake,
        "fix": root.fix,
        "same": list(d.same),
        "caused": list(d.caused),
        "others": list(d.others),
        "not_judged": list(d.not_judged),
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
        "score": points_number(c.score),
        "max_score": points_number(c.max_score),
        "line": c.line,
        "hidden": c.hidden,
    }


def render_line(report: Report) -> str:
    """One report as a single line of JSON (JSON Lines, for batches)."""
    return json.dumps(as_dict(report), ensure_ascii=False)


def render(reports: Sequence[Report]) -> str:
    """One report: an indented object; several: JSON Lines."""
    if len(reports) == 1:
        return json.dumps(as_dict(reports[0]), ensure_ascii=False, indent=2) + "\n"
    return "".join(render_line(r) + "\n" for r in reports)
