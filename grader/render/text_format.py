"""``--format text``: for a person at a terminal. Colour only when asked (a TTY without NO_COLOR).

Strategy: by default the report leads with the one mistake the diagnosis chose (its sentence
right under the verdict line, then expected / observed / try), folds every other failure and
every check not judged into a line each, and shows what crossed the wire in that run; it fits
in ``BUDGET`` lines, the transcript giving way first. ``verbose`` shows every check of every run
and every run's transcript. Plain Python rather than a template: this is the ``grade``
command's everyday output, and it should not cost a template engine's import on every start.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

from grader.i18n import Catalogue, english
from grader.render.packets_text import ladder_lines, shown_by_line
from grader.render.plain import where
from grader.report import Check, Report, RunTranscript

COLOURS = {"green": "32", "red": "31", "bold": "1", "dim": "2", "yellow": "33"}
VERDICTS = {
    "pass": ("PASS", "green"),
    "fail": ("FAIL", "red"),
    "invalid": ("INVALID", "yellow"),
    "error": ("ERROR", "yellow"),
}
INDENT = " " * 16  # under the values, past "      expected  "
WIDTH = 100
BUDGET = 20  # lines a single mistake's default report fits in
ARROWS = {"client": "→", "server": "←"}

Paint = Callable[[str, str], str]


def _painter(colour: bool) -> Paint:
    def paint(text: str, name: str) -> str:
        return f"\x1b[{COLOURS[name]}m{text}\x1b[0m" if colour else text

    return paint


def _value(text: str, wrap: bool = False) -> str:
    """A value under its label; with ``wrap``, long lines are folded to the report's width.

    A value with a caret line under it is never folded: the caret must stay under its column.
    """
    lines = text.split("\n")
    if wrap:
        room = WIDTH - len(INDENT)
        lines = [part for line in lines for part in (textwrap.wrap(line, room) or [""])]
    return ("\n" + INDENT).join(lines)


def _header(report: Report, paint: Paint) -> str:
    word, hue = VERDICTS[report.verdict]
    return f"{paint(word, hue)} problem {report.problem} ({report.title}): {report.summary()}"


def _footer(report: Report, words: Catalogue, verbose: bool) -> str:
    parts = [report.submission, f"{report.duration_s:.2f} s"]
    # For the teacher; by default said only when the runs were not isolated, a thing to know.
    if report.isolation and (verbose or report.isolation == "routed"):
        parts.append(report.isolation_text())
    if report.seed is not None:
        parts.append(words.message("report.seed", seed=report.seed))
    if report.verdict == "fail":
        parts.append(words.message("report.show", problem=report.problem))
    return "      " + " · ".join(parts)


def _failure(check: Check, paint: Paint, words: Catalogue, hint: str) -> list[str]:
    """Expected, observed, the caret line and what to try, under a failed check."""
    labels = {k: f"{words.message('report.' + k):<10}" for k in ("expected", "observed", "try")}
    lines = [
        f"      {labels['expected']}{_value(check.expected, not check.marker)}",
        f"      {labels['observed']}{_value(check.observed, not check.marker)}",
    ]
    if check.marker:
        lines.append(INDENT + paint(check.marker, "red"))
    if hint:
        wrapped = ("\n" + INDENT).join(textwrap.wrap(hint, WIDTH - len(INDENT)))
        lines.append(f"      {labels['try']}{wrapped}")
    return lines


def _wrapped(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def transcript_lines(
    transcript: RunTranscript,
    words: Catalogue,
    limit: int | None = None,
    traceback_shown: bool = False,
) -> list[str]:
    """The transcript as lines: events (at most ``limit``), what was printed, how it ended."""
    lines = [f"  {words.message('report.wire_title', run=transcript.run)}"]
    events = list(transcript.events)
    shown = events if limit is None or len(events) <= limit else events[: max(limit - 1, 0)]
    for event in shown:
        at = f"{event.at_s:6.3f} s" if event.at_s is not None else " " * 8
        arrow = ARROWS[event.who] if event.kind == "data" else " "
        lines.append(f"    {at}  {event.who:<6} {arrow} {event.text}")
    if len(shown) < len(events) and limit:
        lines.append(f"    … {len(events) - len(shown)} more (grade --verbose)")
    nothing = words.message("wire.nothing")
    stdout = transcript.stdout if transcript.stdout != "''" else nothing
    if traceback_shown:
        stderr = words.message("wire.traceback")
    elif transcript.exception:
        stderr = words.message("wire.traceback_of", exception=transcript.exception)
    else:
        stderr = transcript.stderr if transcript.stderr != "''" else nothing
    out_label, err_label = words.message("wire.stdout"), words.message("wire.stderr")
    pieces = [f"{out_label} {stdout}", f"{err_label} {stderr}", transcript.ending]
    lines += _packed(pieces, "    ")
    return [line[:WIDTH] if len(line) > WIDTH else line for line in lines]


def _packed(pieces: Sequence[str], indent: str) -> list[str]:
    """``pieces`` joined with `` · `` into as few lines as fit; a piece too long alone is cut."""
    lines: list[str] = []
    for piece in pieces:
        if len(indent + piece) > WIDTH:
            piece = piece[: WIDTH - len(indent) - 1] + "…"
        if lines and len(lines[-1] + " · " + piece) <= WIDTH:
            lines[-1] += " · " + piece
        else:
            lines.append(indent + piece)
    return lines


def _diagnosis_lines(report: Report, paint: Paint, words: Catalogue) -> list[str]:
    diagnosis = report.diagnosis
    root = report.diagnosed
    if diagnosis is None or root is None:
        return []
    lines = [
        paint(line, "bold")
        for line in textwrap.wrap(root.mistake or root.hint or f"Not met: {root.title}.", WIDTH)
    ]
    run = f" · “{root.run}”" if len(report.runs) > 1 else ""
    lines.append(f"  {paint('✗', 'red')} {root.title}{run}")
    lines += _failure(root, paint, words, root.fix if root.mistake else "")
    folds = (
        ("report.same_mistake", diagnosis.same),
        ("report.caused", diagnosis.caused),
        ("report.other_failures", diagnosis.others),
    )
    for key, indices in folds:
        if indices:
            lines += _wrapped(words.message(key, where=where(report, indices, root)))
    if diagnosis.not_judged:
        what = where(report, diagnosis.not_judged, runs=False)
        lines += [paint(x, "dim") for x in _wrapped(words.message("report.not_judged", what=what))]
    return lines


def render_one(
    report: Report, colour: bool = False, verbose: bool = False, words: Catalogue | None = None
) -> str:
    """One report as terminal text: the diagnosis first, or (``verbose``) every check."""
    words = words or english()
    paint = _painter(colour)
    lines = [_header(report, paint)]
    if report.error:
        lines.append(f"      The grader could not finish: {report.error}")
    if verbose:
        lines += _every_check(report, paint, words)
        for every in report.transcripts:
            lines += ["", *transcript_lines(every, words)]
        for ladder in report.ladders:
            lines += ["", *ladder_lines(ladder, words)]
    else:
        lines += _diagnosis_lines(report, paint, words)
        lines += shown_by_line(report, words)
        root = report.diagnosed
        transcript = report.transcript(root.run) if root is not None else None
        if transcript is not None:
            name = transcript.exception.split(":")[0]
            traceback_shown = bool(root and name and f"uncaught {name}" in root.observed)
            # As many of the wire's events as the budget leaves room for, the footer included.
            limit = len(transcript.events)
            wire = transcript_lines(transcript, words, limit, traceback_shown)
            used = sum(line.count("\n") + 1 for line in lines)  # values span several lines
            used += 1  # the footer
            while limit > 0 and used + len(wire) > BUDGET:
                limit -= 1
                wire = transcript_lines(transcript, words, limit, traceback_shown)
            lines += wire
    lines.append(_footer(report, words, verbose))
    return "\n".join(lines) + "\n"


def _every_check(report: Report, paint: Paint, words: Catalogue) -> list[str]:
    """Every check of every run (the ``--verbose`` layout), repeats named, not spelled out."""
    lines: list[str] = []
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
                lines.append(f"  {paint('✗', 'red')} {paint(check.title, 'bold')}")
                lines += _failure(check, paint, words, check.hint)
    return lines


def render(
    reports: Sequence[Report],
    colour: bool = False,
    verbose: bool = False,
    words: Catalogue | None = None,
) -> str:
    """Reports as terminal text, one after another."""
    return "\n".join(render_one(r, colour, verbose, words) for r in reports)
