"""``--format junit``: JUnit XML, as the test reporters of GitLab, Jenkins and GitHub read it.

One ``<testsuite>`` per report, one ``<testcase>`` per check; a failed check carries its feedback
(expected, observed, the caret under the first difference, what to try) in ``<failure>``, a
skipped one ``<skipped>`` with the reason, and a report that could not be graded (verdict
``invalid`` or ``error``) one more testcase with ``<error>``. ElementTree escapes; characters
XML 1.0 cannot carry at all (control characters other than tab, newline and carriage return,
lone surrogates) are removed from every text and attribute first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from grader.render.plain import feedback
from grader.report import Check, Report

_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (``\\x1b``, ``\\x00``, lone surrogates)."""
    return _ILLEGAL.sub("", text)


def failure_message(check: Check) -> str:
    """The one-line headline reporters show: ``expected …; observed …; try: …``."""
    message = f"expected {check.expected}; observed {check.observed}"
    if check.hint:
        message += f"; try: {check.hint}"
    return message.replace("\r\n", " ").replace("\n", " ")


def suite_name(report: Report) -> str:
    return f"problem {report.problem}: {report.title} — {report.submission}"


def _class_name(report: Report) -> str:
    return f"{report.submission} (problem {report.problem})"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text:
        element.text = xml_safe(text)
    return element


def _suite(parent: ET.Element, report: Report) -> dict[str, int]:
    could_not_grade = report.verdict in ("invalid", "error")
    counts = {
        "tests": len(report.checks) + (1 if could_not_grade else 0),
        "failures": len(report.failed_checks),
        "errors": 1 if could_not_grade else 0,
        "skipped": sum(1 for c in report.checks if c.skipped),
    }
    suite = _sub(
        parent,
        "testsuite",
        name=suite_name(report),
        **{k: str(v) for k, v in counts.items()},
        time=f"{report.duration_s:.3f}",
    )
    properties = _sub(suite, "properties")
    for name, value in (
        ("submission", report.submission),
        ("problem", str(report.problem)),
        ("verdict", report.verdict),
        ("exit_code", str(report.exit_code)),
        ("summary", report.summary()),
        ("isolation", report.isolation),
    ):
        _sub(properties, "property", name=name, value=value)
    classname = _class_name(report)
    for check in report.checks:
        case = _sub(suite, "testcase", classname=classname, name=f"[{check.run}] {check.title}")
        case.set("time", "0")
        if check.status == "failed":
            _sub(case, "failure", feedback(check), message=failure_message(check), type=check.name)
        elif check.status == "skipped":
            _sub(case, "skipped", message=check.hint or "not judged")
    if could_not_grade:
        what = (
            "the submission could not be graded"
            if report.verdict == "invalid"
            else "the grader failed (not the learner's fault)"
        )
        case = _sub(suite, "testcase", classname=classname, name=f"grading: {what}")
        case.set("time", "0")
        _sub(case, "error", report.error, message=report.error or what, type=report.verdict)
    return counts


def render(reports: Sequence[Report]) -> str:
    """All reports as one ``<testsuites>`` document."""
    root = ET.Element("testsuites", name="socket-grader")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        for key, value in _suite(root, report).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{sum(r.duration_s for r in reports):.3f}")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
