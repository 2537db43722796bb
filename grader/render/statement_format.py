"""A problem's statement as terminal text (``grade --show N``, ``grade --list``).

Strategy: one ``Statement`` in, lines out, wrapped to the width given; the words come from the
catalogue, the content from the spec (``grader.problem.statement``).
"""

from __future__ import annotations

import textwrap

from grader.i18n import Catalogue, english
from grader.report import Statement

LABEL = 10  # "input     ", "sends     ": the example's values share one column


def _wrap(text: str, width: int, indent: str = "", later: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent if later is None else later,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent]


def heading(statement: Statement, words: Catalogue) -> str:
    return words.message("statement.heading", problem=statement.problem, title=statement.title)


def render_statement(
    statement: Statement, words: Catalogue | None = None, width: int = 100, full: bool = True
) -> str:
    """The statement: heading and task; with ``full``, the example sessions and the rules."""
    words = words or english()
    lines = [heading(statement, words), ""]
    lines += _wrap(statement.task, width)
    if not full:
        return "\n".join(lines) + "\n"
    column = max([LABEL - 1, *(len(label) for s in statement.examples for label, _ in s.lines)])
    for session in statement.examples:
        lines += ["", words.message("statement.example", run=session.run)]
        for label, value in session.lines:
            pad = f"  {label:<{column}} "
            lines += _wrap(value, width, pad, " " * len(pad))
    if any(
        label == words.message("statement.replies")
        for s in statement.examples
        for label, _ in s.lines
    ):
        lines += ["", *_wrap(words.message("statement.random"), width)]
    if statement.judged:
        lines.append("")
        if len(statement.runs) > 1:
            runs = ", ".join(f"“{r}”" for r in statement.runs)
            lines += _wrap(
                words.message("statement.judged", count=len(statement.runs), runs=runs), width
            )
        else:
            lines.append(words.message("statement.judged_one"))
        for rule in statement.judged:
            lines += _wrap(rule, width, "  - ", "    ")
    lines += ["", *_wrap(words.message("statement.by_hand", problem=statement.problem), width)]
    return "\n".join(lines) + "\n"
