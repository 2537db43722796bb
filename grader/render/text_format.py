"""``--format text``: for a person at a terminal. Colour only when asked (a TTY without NO_COLOR).

Strategy: by default the report leads with the one mistake the diagnosis chose (its sentence
right under the verdict line, then expected / observed / try), folds every other failure and
every check not judged into a line each, and shows what crossed the wire in that run; it fits
in ``BUDGET`` lines, the transcript giving way first. ``verbose`` shows every check of every run
and every run's transcript, its bytes whole. Every line fits ``width`` (the terminal's, from 60
to 100 columns): prose is folded, and where a line must be cut (a value with a caret under it, a
bytes literal) the cut is marked with ``…``. Plain Python rather than a template: this is the ``grade``
command's everyday output, and it should not cost a template engine's import on every start.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

from grader.i18n import MESSAGES, Catalogue, english
from grader.render.packets_text import ladder_lines, shown_by_line
from grader.render.plain import points_text, summary, where
from grader.report import Check, Report, RunTranscript

COLOURS = {"green": "32", "red": "31", "bold": "1", "dim": "2", "yellow": "33"}
VERDICTS = {
    "pass": ("PASS", "green"),
    "fail": ("FAIL", "red"),
    "invalid": ("INVALID", "yellow"),
    "error": ("ERROR", "yellow"),
}
INDENT = " " * 16  # under the values, past "      expected  "
WIDTH = 100  # the widest report, whatever the terminal
NARROWEST = 60  # a narrower terminal still gets 60 columns: the values need them
BUDGET = 20  # lines a single mistake's default report fits in
ARROWS = {"client": "→", "server": "←"}

Paint = Callable[[str, str], str]


def _painter(colour: bool) -> Paint:
    def paint(text: str, name: str) -> str:
        return f"\x1b[{COLOURS[name]}m{text}\x1b[0m" if colour else text

    return paint


def fit_width(columns: int | None) -> int:
    """The report's width for a terminal of ``columns`` (None: not a terminal): 60 to 100."""
    return WIDTH if columns is None else max(NARROWEST, min(WIDTH, columns))


def cut(line: str, width: int) -> str:
    """``line`` cut to ``width`` columns, the cut marked with ``…``."""
    return line if len(line) <= width else line[: width - 1] + "…"


def _fold(text: str, room: int) -> list[str]:
    """Prose folded to ``room`` columns; a word longer than that is split, never lost."""
    return textwrap.wrap(text, room, break_on_hyphens=False) or [""]


def _value(text: str, width: int, wrap: bool = False) -> str:
    """A value under its label; with ``wrap``, long lines are folded to the report's width.

    A value with a caret line under it is never folded: the caret must stay under its column;
    its lines are cut (marked ``…``) instead.
    """
    lines = text.split("\n")
    room = width - len(INDENT)
    if wrap:
        lines = [part for line in lines for part in _fold(line, room)]
    else:
        lines = [cut(line, room) for line in lines]
    return ("\n" + INDENT).join(lines)


def _header(report: Report, paint: Paint, width: int, words: Catalogue) -> list[str]:
    _, hue = VERDICTS[report.verdict]
    word = words.message(f"verdict.{report.verdict}")
    points = words.message(
        "report.points", score=points_text(report.score), max=points_text(report.max_score)
    )
    text = words.message(
        "report.header",
        verdict=word,
        problem=report.problem,
        title=report.title,
        summary=f"{summary(report, words)} · {points}",
    )
    lines = _wrapped(text, width, "")
    if lines[0].startswith(word):
        lines[0] = paint(word, hue) + lines[0][len(word) :]
    return lines


def _footer(report: Report, words: Catalogue, verbose: bool, width: int) -> list[str]:
    parts = [report.submission, f"{report.duration_s:.2f} s"]
    # For the teacher; by default said only when the runs were not isolated, a thing to know.
    if report.isolation and (verbose or report.isolation == "routed"):
        key = f"isolation.{report.isolation}"
        parts.append(words.message(key) if key in MESSAGES else report.isolation_text())
    if report.seed is not None:
        parts.append(words.message("report.seed", seed=report.seed))
    if report.verdict == "fail":
        parts.append(words.message("report.show", problem=report.problem))
    return _packed(parts, "      ", width)


def _failure(check: Check, paint: Paint, words: Catalogue, hint: str, width: int) -> list[str]:
    """Expected, observed, the caret line and what to try, under a failed check."""
    labels = {k: f"{words.message('report.' + k):<10}" for k in ("expected", "observed", "try")}
    expected, observed = check.expected, check.observed
    marker = check.marker
    room = width - len(INDENT)
    column = marker.find("^")
    if marker and column >= room - 1:
        # The difference is past the cut: show the window from a little before it, marked.
        shift = column - room // 2
        expected, observed = (
            "\n".join("…" + line[shift + 1 :] for line in value.split("\n"))
            for value in (expected, observed)
        )
        marker = " " * (column - shift) + "^"
    lines = [
        f"      {labels['expected']}{_value(expected, width, not marker)}",
        f"      {labels['observed']}{_value(observed, width, not marker)}",
    ]
    if marker:
        lines.append(INDENT + paint(marker, "red"))
    if hint:
        wrapped = ("\n" + INDENT).join(_fold(hint, room))
        lines.append(f"      {labels['try']}{wrapped}")
    return lines


def _wrapped(text: str, width: int, indent: str = "  ") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
    )


def transcript_lines(
    transcript: RunTranscript,
    words: Catalogue,
    limit: int | None = None,
    traceback_shown: bool = False,
    width: int = WIDTH,
    whole: bool = False,
) -> list[str]:
    """The transcript as lines: events (at most ``limit``), what was printed, how it ended.

    A line too long is cut (``…``), or with ``whole`` (``--verbose``) continued on the next.
    """
    lines = _wrapped(words.message("report.wire_title", run=transcript.run), width)
    events = list(transcript.events)
    shown = events if limit is None or len(events) <= limit else events[: max(limit - 1, 0)]
    for event in shown:
        at = f"{event.at_s:6.3f} s" if event.at_s is not None else " " * 8
        arrow = ARROWS[event.who] if event.kind == "data" else " "
        who = words.message(f"wire.{event.who}")
        line = f"    {at}  {who:<6} {arrow} {event.text}"
        if whole and len(line) > width:  # continued under the text, never cut
            pad = " " * 23
            room = width - len(pad)
            if event.kind == "data":  # a bytes literal: split anywhere
                parts = [event.text[i : i + room] for i in range(0, len(event.text), room)]
            else:
                parts = _fold(event.text, room)
            line = line[: len(pad)] + ("\n" + pad).join(parts)
        lines.append(line)
    if len(shown) < len(events) and limit:
        lines.append("    " + words.message("report.more_events", count=len(events) - len(shown)))
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
    lines += _packed(pieces, "    ", width)
    return [
        "\n".join(cut(part, width) for part in line.split("\n")) if whole else cut(line, width)
        for line in lines
    ]


def _packed(pieces: Sequence[str], indent: str, width: int) -> list[str]:
    """``pieces`` joined with `` · `` into as few lines as fit; a piece too long alone is cut."""
    lines: list[str] = []
    for piece in pieces:
        piece = cut(indent + piece, width)[len(indent) :]
        if lines and len(lines[-1] + " · " + piece) <= width:
            lines[-1] += " · " + piece
        else:
            lines.append(indent + piece)
    return lines


def _diagnosis_lines(report: Report, paint: Paint, words: Catalogue, width: int) -> list[str]:
    diagnosis = report.diagnosis
    root = report.diagnosed
    if diagnosis is None or root is None:
        return []
    lines = [
        paint(line, "bold")
        for line in _fold(
            root.mistake or root.hint or words.message("report.not_met", title=root.title), width
        )
    ]
    run = f" · “{root.run}”" if len(report.runs) > 1 else ""
    lines += [
        f"  {paint('✗', 'red')} {line[4:]}" if i == 0 else line
        for i, line in enumerate(_wrapped(f"{root.title}{run}", width, "    "))
    ]
    lines += _failure(root, paint, words, root.fix if root.mistake else "", width)
    folds = (
        ("report.same_mistake", diagnosis.same),
        ("report.caused", diagnosis.caused),
        ("report.other_failures", diagnosis.others),
    )
    for key, indices in folds:
        if indices:
            lines += _wrapped(words.message(key, where=where(report, indices, root)), width)
    if diagnosis.not_judged:
        what = where(report, diagnosis.not_judged, runs=False)
        said = words.message("report.not_judged", what=what)
        lines += [paint(x, "dim") for x in _wrapped(said, width)]
    return lines


def render_one(
    report: Report,
    colour: bool = False,
    verbose: bool = False,
    words: Catalogue | None = None,
    width: int = WIDTH,
) -> str:
    """One report as terminal text: the diagnosis first, or (``verbose``) every check."""
    words = words or english()
    paint = _painter(colour)
    lines = _header(report, paint, width, words)
    if report.error:
        said = words.message("report.grader_failed", error=report.error)
        lines += _wrapped(said, width, "      ")
    if verbose:
        lines += _every_check(report, paint, words, width)
        for every in report.transcripts:
            lines += ["", *transcript_lines(every, words, width=width, whole=True)]
        for ladder in report.ladders:
            lines += ["", *ladder_lines(ladder, words, width)]
    else:
        lines += _diagnosis_lines(report, paint, words, width)
        lines += shown_by_line(report, words, width)
        root = report.diagnosed
        transcript = report.transcript(root.run) if root is not None else None
        if transcript is not None:
            name = transcript.exception.split(":")[0]
            traceback_shown = bool(root and name and f"uncaught {name}" in root.observed)
            # As many of the wire's events as the budget leaves room for, the footer included.
            limit = len(transcript.events)
            wire = transcript_lines(transcript, words, limit, traceback_shown, width)
            footer = _footer(report, words, verbose, width)
            used = sum(line.count("\n") + 1 for line in lines)  # values span several lines
            used += len(footer)
            while limit > 0 and used + len(wire) > BUDGET:
                limit -= 1
                wire = transcript_lines(transcript, words, limit, traceback_shown, width)
            if used + len(wire) > BUDGET:
                wire = []  # no event left to show: how it ended is in the failure above
            lines += wire
    lines += _footer(report, words, verbose, width)
    return "\n".join(lines) + "\n"


def _worth(check: Check) -> str:
    """`` · 6.75 / 6.75`` after a test; the file's own check (``source``) is no test."""
    if check.name == "source":
        return ""
    return f" · {points_text(check.score)} / {points_text(check.max_score)}"


def _marked(mark: str, painted: str, text: str, width: int) -> list[str]:
    """``  ✓ text``, folded to ``width`` under the text, the mark painted."""
    lines = _wrapped(f"{mark} {text}", width, "  ")
    return [f"  {painted}{lines[0][3:]}", *lines[1:]]


def _every_check(report: Report, paint: Paint, words: Catalogue, width: int) -> list[str]:
    """Every check of every run (the ``--verbose`` layout), repeats named, not spelled out."""
    lines: list[str] = []
    for run, checks in report.by_run():
        lines += ["", *(paint(x, "bold") for x in _wrapped(run, width, ""))]
        for check, seen_in in checks:
            worth = _worth(check)
            if check.status == "passed":
                lines += _marked("✓", paint("✓", "green"), check.title + worth, width)
            elif check.status == "skipped":
                said = f"{check.title} ({check.hint}){worth}"
                lines += _marked("-", paint("-", "dim"), said, width)
            elif seen_in:
                said = f"{check.title} {words.message('report.as_in', run=seen_in)}{worth}"
                lines += _marked("✗", paint("✗", "red"), said, width)
            else:
                lines += [paint(x, "bold") for x in _marked("✗", "✗", check.title + worth, width)]
                lines += _failure(check, paint, words, check.hint, width)
    return lines


def render(
    reports: Sequence[Report],
    colour: bool = False,
    verbose: bool = False,
    words: Catalogue | None = None,
    width: int = WIDTH,
) -> str:
    """Reports as terminal text, one after another, within ``width`` columns."""
    return "\n".join(render_one(r, colour, verbose, words, width) for r in reports)
