"""``--format html``: one self-contained page a teacher can open or a platform can embed.

Inline CSS only: no script, no font, no image, no link, and a Content-Security-Policy that
forbids loading anything, so the page works offline and inside a sandboxed frame. Everything
that came from the learner (file name, printed output, exception text) is escaped by Jinja's
autoescape; control characters, which a browser would silently drop or mangle, are shown as
Python escapes (``\\x1b``) so the learner sees that they were there.

Strategy: every word the page says is the catalogue's (``grader.i18n``), in the language the
text report uses; the template asks for each by key (``say``), its fields escaped and its own
markup (a link, a command in ``<code>``) passed as ``Markup``. The page's ``lang`` is the
catalogue's language.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from grader.i18n import MESSAGES, Catalogue, english
from grader.render.plain import points_text, summary, where
from grader.report import Report

if TYPE_CHECKING:
    import jinja2

VERDICTS = ("pass", "fail", "invalid", "error")
LABEL = 10  # the narrowest label column of a diff ("expected  "); a longer word widens it
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


def said(words: Catalogue, key: str, **fields: object) -> Markup:
    """The catalogue's sentence ``key`` as HTML: its text and its fields escaped, except the
    fields given as ``Markup`` (a link, a ``<code>``), which are the page's own."""
    source = escape(words.text(key, MESSAGES[key]))
    kept = {k: v if isinstance(v, Markup) else visible(v) for k, v in fields.items()}
    return source.format(**kept)


def code(value: object) -> Markup:
    """``value`` in ``<code>``, escaped (``Markup`` is the page's own, kept as it is)."""
    return Markup("<code>{}</code>").format(value if isinstance(value, Markup) else visible(value))


def code_in(text: Markup, command: str) -> Markup:
    """``text`` (a sentence already escaped) with ``command`` in it shown as ``<code>``."""
    return text.replace(escape(command), code(command))


def html_lang(lang: str) -> str:
    """A catalogue's language as an HTML ``lang``: ``ru_RU.UTF-8`` is ``ru-RU``."""
    bare = lang.split(".")[0].split("@")[0]
    return bare.replace("_", "-") or "en"


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
    env.filters["code_in"] = code_in
    env.globals["code"] = code
    return env


def _lead(report: Report, words: Catalogue) -> dict[str, Any] | None:
    """The diagnosis, for the top of a report: the mistake, where, and the other failures named."""
    diagnosis, root = report.diagnosis, report.diagnosed
    if diagnosis is None or root is None:
        return None
    folds = [
        said(words, key, where=where(report, indices, root))
        for key, indices in (
            ("report.same_mistake", diagnosis.same),
            ("report.caused", diagnosis.caused),
            ("html.also_failing", diagnosis.others),
        )
        if indices
    ]
    if diagnosis.not_judged:
        what = where(report, diagnosis.not_judged, runs=False)
        folds.append(said(words, "report.not_judged", what=what))
    return {
        "mistake": root.mistake or root.hint or words.message("report.not_met", title=root.title),
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


def _word(report: Report, words: Catalogue) -> str:
    """The verdict as the badge says it: ``PASS``, ``FAIL``, ..."""
    key = f"verdict.{report.verdict}"
    return words.message(key) if key in MESSAGES else report.verdict.upper()


def _points(report: Report, words: Catalogue) -> str:
    score, most = points_text(report.score), points_text(report.max_score)
    return words.message("report.points", score=score, max=most)


def _isolation(report: Report, words: Catalogue) -> str:
    key = f"isolation.{report.isolation}"
    return words.message(key) if key in MESSAGES else report.isolation_text()


def _item(report: Report, words: Catalogue) -> dict[str, Any]:
    intro = "html.not_graded" if report.verdict == "invalid" else "html.grader_fault"
    statement = report.statement
    return {
        "report": report,
        "lead": _lead(report, words),
        "word": _word(report, words),
        "summary": summary(report, words),
        "groups": _groups(report),
        "isolation": _isolation(report, words) if report.isolation else "",
        "error_intro": words.message(intro),
        "points": _points(report, words),
        "judged_runs": ", ".join(f"“{run}”" for run in statement.runs) if statement else "",
        # as ``grade --show`` says: an example whose replies vary says so
        "random": statement is not None
        and any(
            label == words.message("statement.replies")
            for session in statement.examples
            for label, _ in session.lines
        ),
    }


def _overview(reports: Sequence[Report], words: Catalogue) -> str:
    counts = {v: sum(1 for r in reports if r.verdict == v) for v in VERDICTS}
    parts = [words.message("html.overview_passed", passed=counts["pass"], total=len(reports))]
    if counts["fail"]:
        parts.append(words.message("html.overview_failed", count=counts["fail"]))
    parts += [
        words.message(
            "html.overview_ungraded", count=counts[v], verdict=words.message(f"verdict.{v}")
        )
        for v in ("invalid", "error")
        if counts[v]
    ]
    return ", ".join(parts)


def _overview_rows(reports: Sequence[Report], words: Catalogue) -> list[dict[str, Any]]:
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
                "word": _word(r, words),
                "points": f"{points_text(r.score)} / {points_text(r.max_score)}",
                "mistake": mistake,
            }
        )
    return rows


def _page_title(reports: Sequence[Report], words: Catalogue) -> str:
    if len(reports) == 1:
        r = reports[0]
        return words.message(
            "html.page_title",
            verdict=_word(r, words),
            problem=r.problem,
            title=r.title,
            submission=r.submission,
        )
    return words.message("html.batch_title", count=len(reports), overview=_overview(reports, words))


def _labels(words: Catalogue) -> dict[str, str]:
    """A diff's labels (``expected``, ``observed``, ``try``), padded to one column, as the
    text report's are; ``indent`` lines a value's later lines up under its first."""
    said_as = {k: words.message(f"report.{k}") for k in ("expected", "observed", "try")}
    column = max(LABEL, *(len(w) + 2 for w in said_as.values()))
    labels = {k: f"{w:<{column}}" for k, w in said_as.items()}
    labels["try"] = f"{said_as['try']}  "
    labels["indent"] = " " * column
    return labels


def render(reports: Sequence[Report], words: Catalogue | None = None) -> str:
    """All reports as one HTML page, a section each, in the language of ``words``."""
    words = words or english()

    def say(key: str, **fields: object) -> Markup:
        return said(words, key, **fields)

    template = _environment().get_template("report.html.j2")
    return template.render(
        reports=list(reports),
        items=[_item(r, words) for r in reports],
        several=len(reports) > 1,
        overview=_overview(reports, words),
        overview_rows=_overview_rows(reports, words) if len(reports) > 1 else [],
        page_title=_page_title(reports, words),
        lang=html_lang(words.lang),
        labels=_labels(words),
        say=say,
    )
