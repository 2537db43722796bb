"""Turns one run's observation into checks, in the spec's order, skipping what cannot be judged.

A check whose prerequisite failed is reported as skipped, not failed: one mistake, one message.
The checks judged in every run whatever the spec lists (``ALWAYS_JUDGED``) are reported only
when they fail, first. The check gives the verdict; ``diagnosis.choose_hint`` names the mistake
behind a failure.
"""

from __future__ import annotations

from grader.i18n import Catalogue, english
from grader.judge.checks import ALWAYS_JUDGED, CHECKS
from grader.judge.diagnosis import choose_hint
from grader.judge.said import said, say
from grader.judge.verdict import Context, Verdict
from grader.observe.records import Observation
from grader.problem.spec import RunSpec
from grader.report import Check


def judge_run(
    run: RunSpec, obs: Observation, ctx: Context, catalogue: Catalogue | None = None
) -> list[Check]:
    """The checks of ``run``, judged from ``obs``, their hints in the catalogue's language."""
    words = catalogue or english()
    status: dict[str, str] = {}
    out: list[Check] = []
    for name in ALWAYS_JUDGED:
        verdict = CHECKS[name].judge(run, obs, ctx)
        if not verdict.passed:
            title = CHECKS[name].title(run, ctx.time_limit_s)
            out.append(_check(name, title, run, obs, ctx, verdict, words))
    for name in run.checks:
        kind = CHECKS[name]
        title = kind.title(run, ctx.time_limit_s)
        blocked = [d for d in kind.depends_on if status.get(d, "passed") != "passed"]
        if blocked:
            status[name] = "skipped"
            needs = say(CHECKS[blocked[0]].title(run, ctx.time_limit_s), words)
            out.append(
                Check(
                    name,
                    title,
                    run.name,
                    "skipped",
                    hint=words.message("check.not_judged", needs=needs),
                )
            )
            continue
        verdict = kind.judge(run, obs, ctx)
        status[name] = "passed" if verdict.passed else "failed"
        out.append(_check(name, title, run, obs, ctx, verdict, words))
    return [said(check, words) for check in out]  # the checks' words too


def _check(
    name: str,
    title: str,
    run: RunSpec,
    obs: Observation,
    ctx: Context,
    verdict: Verdict,
    words: Catalogue,
) -> Check:
    tip = None if verdict.passed else choose_hint(name, run, obs, verdict, ctx, words)
    return Check(
        name=name,
        title=title,
        run=run.name,
        status="passed" if verdict.passed else "failed",
        expected=verdict.expected,
        observed=verdict.observed,
        marker=verdict.marker,
        hint=tip.text if tip is not None else "",
        hint_key=tip.key if tip is not None else "",
        mistake=tip.mistake if tip is not None else "",
        fix=tip.fix if tip is not None else "",
    )
