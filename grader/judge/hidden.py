"""Hidden runs: graded and scored, but nothing of their inputs or bytes reaches the learner.

Strategy: concealed once, where the Report is made, so that no format (text, HTML, JSON,
annotations, job summaries, Classroom, Gradescope) can show what it never receives: a hidden
run's checks keep their name, title, status, points and hint key (which mistake, not what was
sent), and lose what was expected and observed, the hint's filled-in sentences (they may quote
the input) and the program's output; the Report carries no transcript of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from grader.i18n import Catalogue, english
from grader.judge.hints import hint
from grader.report import Check, RunOutcome


def conceal_checks(
    checks: Sequence[Check], hidden: set[str], words: Catalogue | None = None
) -> list[Check]:
    """``checks`` with those of the ``hidden`` runs stripped to their title and result."""
    tip = hint("hidden_run", words or english())
    out: list[Check] = []
    for check in checks:
        if check.run not in hidden:
            out.append(check)
            continue
        if check.status != "failed":  # a title, and "not judged: needs ... first"
            out.append(replace(check, expected="", observed="", marker="", hidden=True))
            continue
        out.append(
            replace(
                check,
                expected="",
                observed="",
                marker="",
                hint=tip.text,
                mistake=tip.mistake,
                fix=tip.fix,
                line=None,
                hidden=True,
            )
        )
    return out


def conceal_outcome(outcome: RunOutcome) -> RunOutcome:
    """A hidden run's outcome: its time, not its output."""
    return RunOutcome(outcome.run, outcome.duration_s)
