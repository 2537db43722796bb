"""``--format junit``: JUnit XML, as the test reporters of GitLab, Jenkins and GitHub read it.

One ``<testsuite>`` per report, one ``<testcase>`` per check; a failed check carries its feedback
(expected, observed, the caret under the first difference, what to try) in ``<failure>``, a
skipped one ``<skipped>`` with the reason. What concerns the whole file (it is not Python: a
``<failure>``; it could not be graded, or the grader failed: an ``<error>``) goes on the first
testcase instead of its ``<skipped>``, so the testcases are the same for every submission.
ElementTree escapes; characters XML 1.0 cannot carry at all (control characters other than tab,
newline and carriage return, lone surrogates) are removed from every text and attribute first.

For GitLab and Jenkins: ``classname`` is ``problem<N>.<file>`` with the file's path made one
identifier (Jenkins splits a classname at its last dot into package and class, GitLab shows it
as the suite), so two files never share one; every testcase names the learner's ``file``; the
testcases are the Report's ``tests``. A run's real time goes on its first testcase (the others
0, so the times add up to the runs'), and a failed testcase carries its run's printed output in
``<system-out>``; the suite's ``<system-out>`` holds every run's output.

What a reporter shows (suite and testcase names, messages, the feedback) is in the catalogue's
language; the ``<properties>`` are for machines and stay as the JSON report has them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from grader.i18n import Catalogue, english
from grader.render.plain import feedback, labels, points_text
from grader.report import Check, Report

_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (``\\x1b``, ``\\x00``, lone surrogates)."""
    return _ILLEGAL.sub("", text)


def failure_message(check: Check, words: Catalogue | None = None) -> str:
    """The one-line headline reporters show: ``expected …; observed …; try: …``."""
    said = labels(words or english())
    message = f"{said['expected']} {check.expected}; {said['observed']} {check.observed}"
    if check.hint:
        message += f"; {said['try']}: {check.hint}"
    return message.replace("\r\n", " ").replace("\n", " ")


def suite_name(report: Report, words: Catalogue | None = None) -> str:
    """``problem 3: Question and answer — client.py``, in the catalogue's language."""
    return (words or english()).message(
        "junit.suite", problem=report.problem, title=report.title, submission=report.submission
    )


def class_name(report: Report) -> str:
    """``problem3.p3_port_9091``: one dot, between the problem and the file as one identifier.

    A relative path keeps its folders (``subs/a/client.py`` is ``subs_a_client``), so files of
    one batch stay apart; an absolute one keeps its name only (its folders are the machine's).
    """
    name = report.submission.removesuffix(".py")
    if name.startswith("/"):
        name = name.rsplit("/", 1)[-1]
    return f"problem{report.problem}." + (re.sub(r"\W+", "_", name).strip("_") or "submission")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text:
        element.text = xml_safe(text)
    return element


def _whole_file(report: Report, words: Catalogue) -> tuple[str, str, str, str] | None:
    """What concerns the whole file, as (element, message, text, type), or None.

    The file is not Python (a failure: the learner's), could not be graded, or the grader
    failed (an error). It goes on the first testcase, so the suite fails and says why while
    listing the same testcases as any other submission.
    """
    for check in report.checks:
        if check.name == "source" and check.status == "failed":
            return "failure", failure_message(check, words), feedback(check, words), "source"
    if report.verdict in ("invalid", "error"):
        what = words.message(
            "junit.not_graded" if report.verdict == "invalid" else "junit.grader_failed"
        )
        return "error", report.error or what, f"{what}: {report.error}", report.verdict
    return None


def _suite(parent: ET.Element, report: Report, words: Catalogue) -> dict[str, int]:
    cases = list(report.tests)
    whole = _whole_file(report, words) if cases else None
    kind = whole[0] if whole else ""
    counts = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.status == "failed") + (kind == "failure"),
        "errors": int(kind == "error"),
        "skipped": sum(1 for c in cases if c.skipped) - (whole is not None),
    }
    suite = _sub(
        parent,
        "testsuite",
        name=suite_name(report, words),
        **{k: str(v) for k, v in counts.items()},
        time=f"{report.duration_s:.3f}",
    )
    properties = _sub(suite, "properties")
    for name, value in (
        ("submission", report.submission),
        ("problem", str(report.problem)),
        ("verdict", report.verdict),
        ("exit_code", str(report.exit_code)),
        ("summary", report.summary()),  # as in the JSON report: for machines, in English
        ("isolation", report.isolation),
        ("score", points_text(report.score)),
        ("max_score", points_text(report.max_score)),
    ):
        _sub(properties, "property", name=name, value=value)
    classname = class_name(report)
    outcomes = {o.run: o for o in report.outcomes}
    timed: set[str] = set()
    for index, check in enumerate(cases):
        case = _sub(
            suite,
            "testcase",
            classname=classname,
            name=f"[{check.run}] {check.title}",
            file=report.submission,
        )
        outcome = outcomes.get(check.run)
        first_of_run = outcome is not None and check.run not in timed
        timed.add(check.run)
        case.set("time", f"{outcome.duration_s:.3f}" if outcome and first_of_run else "0")
        line = check.line
        if index == 0 and whole is not None:
            element, message, text, kind = whole
            _sub(case, element, text, message=message, type=kind)
            line = line or next((c.line for c in report.checks if c.name == "source"), None)
        elif check.status == "failed":
            message = failure_message(check, words)
            _sub(case, "failure", feedback(check, words), message=message, type=check.name)
            if outcome is not None and outcome.output:
                _sub(case, "system-out", outcome.output)
        elif check.status == "skipped":
            _sub(case, "skipped", message=check.hint or words.message("platform.not_judged"))
        if line:
            case.set("line", str(line))
    printed = "\n".join(f"--- {o.run} ---\n{o.output}" for o in report.outcomes if o.output)
    if printed:
        _sub(suite, "system-out", printed)
    return counts


def render(reports: Sequence[Report], words: Catalogue | None = None) -> str:
    """All reports as one ``<testsuites>`` document; its messages in ``words``' language."""
    words = words or english()
    root = ET.Element("testsuites", name="socket-grader")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        for key, value in _suite(root, report, words).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{sum(r.duration_s for r in reports):.3f}")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
