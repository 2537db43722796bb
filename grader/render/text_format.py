"""``--format text``: for a person at a terminal. Colour only when asked (a TTY without NO_COLOR).

Plain Python rather than a template: this is the ``grade`` command's everyday output, and it
should not cost a template engine's import on every start.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from grader.report import Report

COLOURS = {"green": "32", "red": "31", "bold": "1", "dim": "2", "yellow": "33"}
VERDICTS = {
    "pass": ("PASS", "green"),
    "fail": ("FAIL", "red"),
    "invalid": ("INVALID", "yellow"),
    "error": ("ERROR", "yellow"),
}
INDENT = " " * 16  # under the values, past "      expected  "


def render_one(report: Report, colour: bool = False) -> str:
    """One report as terminal text."""

    def paint(text: str, name: str) -> str:
        return f"\x1b[{COLOURS[name]}m{text}\x1b[0m" if colour else text

    def value(text: str) -> str:
        return text.replace("\n", "\n" + INDENT)

    word, hue = VERDICTS[report.verdict]
    lines = [
        f"{paint(word, hue)} problem {report.problem} ({report.title}): {report.summary()}",
        f"      {report.submission} · {report.duration_s:.2f} s"
        + (f" · {report.isolation_text()}" if report.isolation else ""),
    ]
    if report.error:
        lines.append(f"      The grader could not finish: {report.error}")
    for run, checks in report.by_run():
        lines += ["", paint(run, "bold")]
        for check, seen_in in checks:
            if check.status == "passed":
                lines.append(f"  {paint('✓', 'green')} {check.title}")
            elif check.status == "skipped":
                lines.append(
                    f"  {paint('-', 'dim')} {check.title} {paint(f'({check.hint})', 'dim')}"
                )
            elif seen_in:
                note = paint(f"(as in “{seen_in}” above)", "dim")
                lines.append(f"  {paint('✗', 'red')} {check.title} {note}")
            else:
                hint = ("\n" + INDENT).join(textwrap.wrap(check.hint, 84))
                lines += [
                    f"  {paint('✗', 'red')} {paint(check.title, 'bold')}",
                    f"      expected  {value(check.expected)}",
                    f"      observed  {value(check.observed)}",
                ]
                if check.marker:
                    lines.append(INDENT + paint(check.marker, "red"))
                lines.append(f"      try       {hint}")
    return "\n".join(lines) + "\n"


def render(reports: Sequence[Report], colour: bool = False) -> str:
    """Reports as terminal text, one after another."""
    return "\n".join(render_one(r, colour) for r in reports)
