"""A check as plain monospace text, shared by the formats that carry text (JUnit, Gradescope)."""

from __future__ import annotations

from grader.report import Check

LABEL = 10  # width of "expected  ", so observed and its caret line share one left column


def _block(label: str, value: str) -> str:
    if not value:
        return label
    continued = ("\n" + " " * LABEL).join(value.split("\n"))
    return f"{label:<{LABEL}}{continued}"


def feedback(check: Check) -> str:
    """Expected, observed, the caret line under the first difference, and (failed) what to try."""
    lines = [_block("expected", check.expected), _block("observed", check.observed)]
    if check.marker:
        lines.append(" " * LABEL + check.marker)
    if check.status == "failed" and check.hint:
        lines.append(_block("try", check.hint))
    return "\n".join(lines)
