"""``--format html``: one self-contained page a teacher can open or a platform can embed.

Inline CSS only: no script, no font, no image, no link, and a Content-Security-Policy that
forbids loading anything, so the page works offline and inside a sandboxed frame. Everything
that came from the learner (file name, printed output, exception text) is escaped by Jinja's
autoescape; control characters, which a browser would silently drop or mangle, are shown as
Python escapes (``\\x1b``) so the learner sees that they were there.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from grader.render.plain import points_text, where
from grader.report import Report

if TYPE_CHECKING:
    import jinja2

WORDS = {"pass": "PASS", "fail": "FAIL", "invalid": "INVALID", "error": "ERROR"}
ERROR_INTRO = {
    "invalid": "This submission could not be graded:",
    "error": "The grader could not finish (this is not the learner's mistake):",
}
# Invisible characters that reorder or hide text: shown escaped, never obeyed.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(value: object) -> str:
    """``value`` as text with control characters, lone surrogates and bidi controls escaped."""
    text = str(value)
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grader", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["visible"] = visible
    env.filters["points"] = points_text
    return env


def _lead(report: Report) -> dict[str, Any] | None:
    """The diagnosis, for the top of a report: the mistake, where, and the other failures named."""
    diagnosis, root = report.diagnosis, report.diagnosed
    if diagnosis is None or root is None:
        return None
    folds = [
        (label, where(report, indices, root))
        for label, indices in (
            ("The same mistake in", diagnosis.same),
            ("Failing because of it", diagnosis.caused),
            ("Also failing", diagnosis.others),
        )
        if indices
    ]
    if diagnosis.not_judged:
        folds.append(
            ("Not judged until this passes", where(report, diagnosis.not_judged, runs=False))
        )
    return {
        "mistake": root.mistake or root.hint or f"Not met: {root.title}.",
        "fix": root.fix if root.mistake else "",
        "check": root,
        "anchor": diagnosis.check,
        "folds": folds,
    }


def _groups(report: Report) -> list[tuple[str, list[tuple[Any, str, int]]]]:
    """``Report.by_run`` with each check's index in ``Report.checks`` (for its anchor; the
    unreached tests, listed after them, have indices past its end and are never anchored)."""
    counter = itertools.count()
    return [
        (run, [(check, seen_in, next(counter)) for check, seen_in in checks])
        for run, checks in report.by_run()
    ]


def _item(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "lead": _lead(report),
        "word": WORDS.get(report.verdict, report.verdict.upper()),
        "groups": _groups(report),
        "isolation": report.isolation_text(),
        "error_intro": ERROR_INTRO.get(report.verdict, "The grader could not finish:"),
        "points": f"{points_text(report.score)} / {points_text(report.max_score)}",
    }


def _overview(reports: Sequence[Report]) -> str:
    counts = {v: sum(1 for r in reports if r.verdict == v) for v in WORDS}
    parts = [f"{counts['pass']} of {len(reports)} passed"]
    if counts["fail"]:
        parts.append(f"{counts['fail']} failed")
    parts += [f"{counts[v]} could not be graded ({v})" for v in ("invalid", "error") if counts[v]]
    return ", ".join(parts)


def _overview_rows(reports: Sequence[Report]) -> list[dict[str, Any]]:
    """A batch's table: file, verdict, points, first mistake; each row links to its report."""
    rows = []
    for index, r in enumerate(reports, start=1):
        first = r.first_mistake
        mistake = f"{first.title} ({first.run})" if first is not None else (r.error or "–")
        rows.append(
            {
                "anchor": f"report-{index}",
                "file": r.submission,
                "verdict": r.verdict,
                "word": WORDS.get(r.verdict, r.verdict.upper()),
                "points": f"{points_text(r.score)} / {points_text(r.max_score)}",
                "mistake": mistake,
            }
        )
    return rows


def _page_title(reports: Sequence[Report]) -> str:
    if len(reports) == 1:
        r = reports[0]
        return (
            f"{WORDS.get(r.verdict, r.verdict)} · problem {r.problem}: {r.title} — {r.submission}"
        )
    return f"Socket grader: {len(reports)} gradings — {_overview(reports)}"


def render(reports: Sequence[Report]) -> str:
    """All reports as one HTML page, a section each."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        reports=list(reports),
        items=[_item(r) for r in reports],
        several=len(reports) > 1,
        overview=_overview(reports),
        overview_rows=_overview_rows(reports) if len(reports) > 1 else [],
        page_title=_page_title(reports),
    )
