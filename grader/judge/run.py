"""Turns one run's observation into checks, in the spec's order, skipping what cannot be judged.

A check whose prerequisite failed is reported as skipped, not failed: one mistake, one message.
The checks judged in every run whatever the spec lists (``ALWAYS_JUDGED``) are reported only
when they fail, first.
"""

from __future__ import annotations

from grader.judge.checks import ALWAYS_JUDGED, CHECKS, Context, Verdict
from grader.observe.records import Observation
from grader.problem.spec import RunSpec
from grader.report import Check


def judge_run(run: RunSpec, obs: Observation, ctx: Context) -> list[Check]:
    """The checks of ``run``, judged from ``obs``."""
    status: dict[str, str] = {}
    out: list[Check] = []
    for name in ALWAYS_JUDGED:
        verdict = CHECKS[name].judge(run, obs, ctx)
        if not verdict.passed:
            out.append(_check(name, CHECKS[name].title(run, ctx.time_limit_s), run, verdict))
    for name in run.checks:
        kind = CHECKS[name]
        title = kind.title(run, ctx.time_limit_s)
        blocked = [d for d in kind.depends_on if status.get(d, "passed") != "passed"]
        if blocked:
            status[name] = "skipped"
            needs = CHECKS[blocked[0]].title(run, ctx.time_limit_s)
            out.append(
                Check(name, title, run.name, "skipped", hint=f"not judged: needs “{needs}” first")
            )
            continue
        verdict = kind.judge(run, obs, ctx)
        status[name] = "passed" if verdict.passed else "failed"
        out.append(_check(name, title, run, verdict))
    return out


def _check(name: str, title: str, run: RunSpec, verdict: Verdict) -> Check:
    return Check(
        name=name,
        title=title,
        run=run.name,
        status="passed" if verdict.passed else "failed",
        expected=verdict.expected,
        observed=verdict.observed,
        marker=verdict.marker,
        hint="" if verdict.passed or verdict.hint is None else verdict.hint.text,
        hint_key="" if verdict.passed or verdict.hint is None else verdict.hint.key,
    )
