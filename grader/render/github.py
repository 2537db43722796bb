"""GitHub Actions: error annotations, the job summary, and fences around the learner's text.

Strategy: the runner reads workflow commands (``::error ...``) from both stdout and stderr, so the
annotations go to stderr and the chosen format keeps stdout to itself. Annotations are few: one
per distinct mistake of a file (its hint key), never more than ``MAX_ANNOTATIONS`` per grading
(GitHub shows 10 errors per step), each on the line of the learner's file when one is known.
Text a person reads in the log carries the learner's output, which could spell a workflow
command; ``fenced`` wraps it in ``::stop-commands::TOKEN`` ... ``::TOKEN::`` with a random
token the learner cannot know. The job summary is Markdown appended to ``$GITHUB_STEP_SUMMARY``:
per submission a table of its tests (check, status, points) and its first mistake in full,
kept under GitHub's 1 MiB per step. Every word a learner reads in them is the catalogue's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from grader.i18n import MESSAGES, Catalogue, english
from grader.render.plain import feedback, labels, points_text, summary
from grader.report import Check, Report

MAX_ANNOTATIONS = 10
SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub accepts per step
SUMMARY_MARGIN = 16 * 1024  # room kept for the closing note and other tools' lines
STATUS_WORDS = {  # a check's status: its mark, and the key of its word in the catalogue
    "passed": ("✅", "platform.passed"),
    "failed": ("❌", "platform.failed"),
    "skipped": ("➖", "platform.not_judged"),
}


def active(environ: dict[str, str] | os._Environ[str] | None = None) -> bool:
    """Whether this process runs as a step of GitHub Actions."""
    env = os.environ if environ is None else environ
    return env.get("GITHUB_ACTIONS") == "true"


# -- workflow commands ----------------------------------------------------------------------------
def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, **props: str) -> str:
    given = ",".join(f"{k}={_prop(v)}" for k, v in props.items() if v)
    return f"::{kind}{' ' + given if given else ''}::{_data(message)}\n"


def _mistakes(reports: Sequence[Report]) -> Iterator[tuple[Report, Check]]:
    """Each file's distinct mistakes (by hint key), first occurrence first."""
    for report in reports:
        seen: set[str] = set()
        for check in report.failed_checks:
            key = check.hint_key or check.name
            if key not in seen:
                seen.add(key)
                yield report, check


def _file(report: Report) -> str:
    """The file as GitHub names it: relative to the workspace when the path is absolute in it."""
    workspace = os.environ.get("GITHUB_WORKSPACE", "")
    name = report.submission
    if workspace and os.path.isabs(name):
        relative = os.path.relpath(name, workspace)
        if not relative.startswith(".."):
            return relative
    return name


def _annotation(report: Report, check: Check, words: Catalogue) -> str:
    title = words.message("github.title", problem=report.problem, title=check.title, run=check.run)
    said = labels(words)
    body = f"{said['expected']}: {check.expected}\n{said['observed']}: {check.observed}"
    if check.hint:
        body += f"\n{said['try']}: {check.hint}"
    line = str(check.line) if check.line else ""
    return _command("error", body, file=_file(report), line=line, title=title)


def workflow_commands(reports: Sequence[Report], words: Catalogue | None = None) -> str:
    """At most ``MAX_ANNOTATIONS`` workflow commands: one per distinct mistake of each file."""
    words = words or english()
    found: list[str] = []
    for report in reports:
        if report.verdict in ("invalid", "error"):
            key = "github.could_not_grade" if report.verdict == "invalid" else "github.grader_fault"
            title = words.message(key)
            found.append(_command("error", report.error, file=_file(report), title=title))
    found += [_annotation(report, check, words) for report, check in _mistakes(reports)]
    if len(found) <= MAX_ANNOTATIONS:
        return "".join(found)
    note = words.message("github.more", count=len(found) - (MAX_ANNOTATIONS - 1))
    warning = _command("warning", note, title=words.message("github.grader"))
    return "".join(found[: MAX_ANNOTATIONS - 1]) + warning


def fenced(text: str, token: str | None = None) -> str:
    """``text`` between ``::stop-commands::TOKEN`` and ``::TOKEN::``: no line of it is obeyed."""
    token = token or os.urandom(16).hex()  # unguessable by the learner's program
    if not text.endswith("\n"):
        text += "\n"
    return f"::stop-commands::{token}\n{text}::{token}::\n"


_LINE_START = re.compile(r"(?m)^([ \t]*):")


def defused(markup: str) -> str:
    """XML or HTML in which no line starts with ``:`` (so none reads as a workflow command).

    A ``:`` at the start of a line can only be text there, and ``&#58;`` is the same text.
    """
    return _LINE_START.sub(r"\1&#58;", markup)


# -- job summary ----------------------------------------------------------------------------------
def _escaped(text: str) -> str:
    """``text`` with its markup escaped (inside ``<pre>``)."""
    import html

    return html.escape(text)


def _cell(text: str) -> str:
    """``text`` safe in a Markdown table cell: markup escaped, pipes and newlines kept out."""
    import html  # only for the job summary: not on every command's path

    escaped = html.escape(text, quote=True)
    for ch, entity in (
        ("|", "&#124;"),
        ("\\", "&#92;"),
        ("`", "&#96;"),
        ("*", "&#42;"),
        ("_", "&#95;"),
        ("[", "&#91;"),
        ("]", "&#93;"),
        ("~", "&#126;"),
    ):
        escaped = escaped.replace(ch, entity)
    return escaped.replace("\r", "").replace("\n", "<br>")


def _points(check: Check) -> str:
    return f"{points_text(check.score)} / {points_text(check.max_score)}"


def summary_section(report: Report, words: Catalogue | None = None) -> str:
    """One submission: headline, the table of its tests, its first mistake in full."""
    words = words or english()
    key = f"verdict.{report.verdict}"
    word = words.message(key) if key in MESSAGES else report.verdict.upper()
    heading = words.message(
        "github.heading",
        verdict=word,
        problem=report.problem,
        title=_cell(report.title),
        submission=f"<code>{_cell(report.submission)}</code>",
    )
    points = words.message(
        "report.points", score=points_text(report.score), max=points_text(report.max_score)
    )
    lines = [f"### {heading}", "", f"**{points}** · {_cell(summary(report, words))}", ""]
    if report.error:
        lines += [f"> {_cell(report.error)}", ""]
    heads = [words.message(f"github.{k}") for k in ("run", "check", "status", "points")]
    lines += ["| " + " | ".join(heads) + " |", "|---|---|---|---:|"]
    status = {k: f"{mark} {words.message(key)}" for k, (mark, key) in STATUS_WORDS.items()}
    for check in report.tests:  # the file's own failure is no test: it is the first mistake
        lines.append(
            f"| {_cell(check.run)} | {_cell(check.title)} | {status[check.status]} | "
            f"{_points(check)} |"
        )
    first = report.first_mistake
    if first is not None:
        title, run = f"**{_cell(first.title)}**", _cell(first.run)
        said = (
            words.message("github.first_mistake_line", title=title, run=run, line=first.line)
            if first.line
            else words.message("github.first_mistake", title=title, run=run)
        )
        lines += ["", said, "", f"<pre>{_escaped(feedback(first, words))}</pre>"]
    return "\n".join(lines) + "\n\n"


def job_summary(
    reports: Sequence[Report],
    budget: int = SUMMARY_LIMIT - SUMMARY_MARGIN,
    words: Catalogue | None = None,
) -> str:
    """The Markdown for every report, cut to ``budget`` bytes with a note saying so."""
    words = words or english()
    passed = sum(1 for r in reports if r.passed)
    title = words.message("github.summary_title", passed=passed, total=len(reports))
    parts = [f"## {title}\n\n"]
    used = len(parts[0].encode("utf-8"))
    for shown, report in enumerate(reports):
        section = summary_section(report, words)
        size = len(section.encode("utf-8"))
        if used + size > budget:
            parts.append(f"*{words.message('github.cut', count=len(reports) - shown)}*\n")
            break
        parts.append(section)
        used += size
    return "".join(parts)


def append_summary(
    reports: Sequence[Report], path: str | Path, words: Catalogue | None = None
) -> None:
    """Append the job summary to ``path`` (``$GITHUB_STEP_SUMMARY``), within what it has left."""
    target = Path(path)
    try:
        already = target.stat().st_size
    except FileNotFoundError:
        already = 0
    budget = SUMMARY_LIMIT - SUMMARY_MARGIN - already
    if budget <= 0:
        return
    with target.open("a", encoding="utf-8") as f:
        f.write(job_summary(reports, budget, words))
