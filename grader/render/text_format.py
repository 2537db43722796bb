"""``--format text``: for a person at a terminal. Colour only when asked (a TTY without NO_COLOR)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.report import Report

if TYPE_CHECKING:
    import jinja2

COLOURS = {"green": "32", "red": "31", "bold": "1", "dim": "2", "yellow": "33"}


def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("grader", "templates"),
        autoescape=False,  # plain text; learner data is already escaped into literals
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_one(report: Report, colour: bool = False, env: jinja2.Environment | None = None) -> str:
    """One report as terminal text."""
    env = env or _environment()

    def paint(text: str, name: str) -> str:
        return f"\x1b[{COLOURS[name]}m{text}\x1b[0m" if colour else text

    # A failure that repeats one of an earlier run (same check, same finding) is named, not
    # spelled out again: three inputs with the same wrong port make one message, not three.
    groups: dict[str, list[tuple[object, str]]] = {}
    shown: dict[tuple[str, str], str] = {}
    for check in report.checks:
        key = (check.name, check.hint)
        seen_in = shown.get(key, "") if check.status == "failed" else ""
        if check.status == "failed" and not seen_in:
            shown[key] = check.run
        groups.setdefault(check.run, []).append((check, seen_in if seen_in != check.run else ""))
    word, hue = {
        "pass": ("PASS", "green"),
        "fail": ("FAIL", "red"),
        "invalid": ("INVALID", "yellow"),
        "error": ("ERROR", "yellow"),
    }[report.verdict]
    return str(
        env.get_template("report.txt.j2").render(
            r=report,
            groups=list(groups.items()),
            paint=paint,
            verdict_word=word,
            verdict_colour=hue,
            isolation=report.isolation_text(),
        )
    )


def render(reports: Sequence[Report], colour: bool = False) -> str:
    env = _environment()
    return "\n".join(render_one(r, colour, env) for r in reports)
