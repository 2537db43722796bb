"""A check as plain monospace text, shared by the formats that carry text (JUnit, Gradescope),
the phrase that names a group of checks and the summary line, shared by the text and HTML
reports and the platforms' formats, and points as every format writes them. The words are the
catalogue's."""

from __future__ import annotations

from collections.abc import Sequence

from grader.i18n import Catalogue, english
from grader.report import Check, Report


def points_text(value: float) -> str:
    """Points as a person reads them: ``7``, ``6.75``, ``0.5`` (whole quarters, never rounded)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def points_number(value: float) -> int | float:
    """Points as a JSON number: whole points as integers (``100``), quarters as decimals."""
    return int(value) if float(value).is_integer() else float(value)


LABEL = 10  # width of "expected  ", so observed and its caret line share one left column


def labels(words: Catalogue) -> dict[str, str]:
    """The words ``expected``, ``observed`` and ``try`` in the catalogue's language."""
    return {k: words.message(f"report.{k}") for k in ("expected", "observed", "try")}


def _block(label: str, value: str, width: int) -> str:
    if not value:
        return label
    continued = ("\n" + " " * width).join(value.split("\n"))
    return f"{label:<{width}}{continued}"


def feedback(check: Check, words: Catalogue | None = None) -> str:
    """Expected, observed, the caret line under the first difference, and (failed) what to try.

    The labels are the catalogue's (English by default); the values share one left column,
    ``LABEL`` wide or, for longer labels, one past the longest.
    """
    said = labels(words or english())
    width = max(LABEL, *(len(label) + 1 for label in said.values()))
    lines = [
        _block(said["expected"], check.expected, width),
        _block(said["observed"], check.observed, width),
    ]
    if check.marker:
        lines.append(" " * width + check.marker)
    if check.status == "failed" and check.hint:
        lines.append(_block(said["try"], check.hint, width))
    return "\n".join(lines)


def where(
    report: Report, indices: Sequence[int], root: Check | None = None, runs: bool = True
) -> str:
    """Checks named by title, each with the runs it failed in (``runs``), in one phrase.

    Where every one is the root's own check, only the runs are named.
    """
    by_title: dict[str, list[str]] = {root.title: []} if root is not None else {}
    for i in indices:
        check = report.checks[i]
        by_title.setdefault(check.title, []).append(check.run)
    by_title = {title: runs_of for title, runs_of in by_title.items() if runs_of}
    name_runs = runs and len(report.runs) > 1
    if root is not None and name_runs and list(by_title) == [root.title]:
        return ", ".join(f"“{r}”" for r in dict.fromkeys(by_title[root.title]))
    parts = []
    for title, runs_of in by_title.items():
        names = ", ".join(f"“{r}”" for r in dict.fromkeys(runs_of))
        parts.append(f"{title} ({names})" if name_runs else title)
    return "; ".join(parts)


def summary(report: Report, words: Catalogue) -> str:
    """One line: ``3 of 5 checks passed``, in the catalogue's language."""
    if report.verdict in ("invalid", "error"):
        return words.message("report.could_not_grade", error=report.error)
    return words.message("report.summary", passed=report.passed_count, total=len(report.tests))
