"""Points: a problem's points spread over its checks, and the checks no run reached.

Strategy: a problem is worth ``points`` (100 unless the spec or the caller says otherwise). Its
tests are its runs × checks, in spec order, whatever happened: a check that was not judged (an
earlier check failed, the file does not run, the grader failed) is listed, worth its share and
scoring 0. Points are whole numbers so that every platform sums them exactly: each test is worth
``points // tests``, and the first ``points % tests`` tests one point more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from grader.judge.checks import CHECKS
from grader.problem.spec import ProblemSpec
from grader.report import Check

DEFAULT_POINTS = 100


def spread(points: int, count: int) -> list[int]:
    """``points`` over ``count`` tests: as even as whole numbers allow, the extra points first."""
    if count <= 0:
        return []
    share, extra = divmod(points, count)
    return [share + (1 if i < extra else 0) for i in range(count)]


def count_tests(spec: ProblemSpec) -> int:
    """How many tests the problem has: its runs × their checks."""
    return sum(len(run.checks) for run in spec.runs)


def scored(checks: Sequence[Check], points: int) -> tuple[Check, ...]:
    """The judged ``checks`` with their points; the ``source`` check is worth nothing."""
    tests = [c for c in checks if c.name != "source"]
    worth = iter(spread(points, len(tests)))
    out = []
    for check in checks:
        if check.name == "source":
            out.append(replace(check, score=0, max_score=0))
            continue
        value = next(worth)
        out.append(replace(check, score=value if check.passed else 0, max_score=value))
    return tuple(out)


def unreached(spec: ProblemSpec, time_limit_s: float, points: int, why: str) -> tuple[Check, ...]:
    """Every check of ``spec``, skipped and scoring 0, each saying ``why`` it was not judged."""
    worth = iter(spread(points, count_tests(spec)))
    return tuple(
        Check(
            name,
            CHECKS[name].title(run, time_limit_s),
            run.name,
            "skipped",
            hint=f"not judged: {why}",
            max_score=next(worth),
        )
        for run in spec.runs
        for name in run.checks
    )
