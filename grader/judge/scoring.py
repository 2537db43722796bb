"""Points: a problem's points spread over its tests, and the tests no run reached.

Strategy: a problem is worth ``points`` (100 unless the spec or the caller says otherwise). Its
tests are its runs × checks, in spec order, whatever happened: a check that was not judged (an
earlier check failed, the file does not run, the grader failed) is listed, worth its share and
scoring 0. Every test is worth a whole number of quarter points, spread by largest remainders
(each gets ``points × 4 // tests`` quarters, the first ``points × 4 % tests`` one more), so:

- the worths add up to exactly ``points``, and stay exact as floating-point numbers: a quarter
  is a binary fraction, so a platform that adds the scores as floats (GitHub's grading reporter
  adds them in JavaScript, Gradescope in Python) gets the very total; hundredths would not
  (100 over 15 tests would add up to 99.99999999999999);
- every test is worth at least a quarter point, so a submission that fails any test never
  earns full points; ``points`` must give each test a quarter (``fitting`` says so in one line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from grader.errors import BadInput
from grader.judge.checks import CHECKS
from grader.problem.spec import ProblemSpec
from grader.report import Check

DEFAULT_POINTS = 100
PARTS = 4  # a test's worth is a whole number of 1/PARTS points
MAX_POINTS = 1_000_000
_NUMBER = re.compile(r"[+-]?(\d+(\.\d+)?|\.\d+)")


def parse_points(value: object, name: str = "points") -> float:
    """``value`` (a number, or its text: ``10``, ``12.5``, ``"7.25"``) as points, checked.

    Raises ``BadInput`` in one line naming ``name`` and the fix: not a number, not positive,
    not a whole number of quarters, or more than ``MAX_POINTS``.
    """
    from fractions import Fraction  # only where points are given: not on a grading's path

    plain = not isinstance(value, str) or (value.strip() == value and value)
    shown = f"{name} {value}" if plain else f"{name} {value!r}"
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        exact = Fraction(value.strip())
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        if value in (float("inf"), float("-inf")):
            raise BadInput(f"{shown}: give a number of points, such as 10 or 12.5")
        exact = Fraction(value)
    else:
        raise BadInput(f"{shown}: give a number of points, such as 10 or 12.5")
    if exact <= 0:
        raise BadInput(f"{shown}: give a positive number of points, such as 10 or 12.5")
    if exact > MAX_POINTS:
        raise BadInput(f"{shown}: give at most {MAX_POINTS} points")
    parts = exact * PARTS
    if parts.denominator != 1:
        below, above = int(parts) / PARTS, (int(parts) + 1) / PARTS
        raise BadInput(f"{shown}: points go in quarters; give {_text(below)} or {_text(above)}")
    return int(parts) / PARTS


def _text(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else repr(float(points))


def spread(points: float, count: int) -> list[float]:
    """``points`` over ``count`` tests in quarters, the extra quarters first; they add up exactly.

    Raises ``BadInput`` when ``points`` gives a test less than a quarter point.
    """
    if count <= 0:
        return []
    parts = round(points * PARTS)
    if parts < count:
        raise BadInput(
            f"points {_text(points)}: {count} tests must each be worth at least a quarter "
            f"point; give at least {_text(count / PARTS)}"
        )
    share, extra = divmod(parts, count)
    return [(share + (1 if i < extra else 0)) / PARTS for i in range(count)]


def count_tests(spec: ProblemSpec) -> int:
    """How many tests the problem has: its runs × their checks."""
    return sum(len(run.checks) for run in spec.runs)


def fitting(spec: ProblemSpec, points: float, name: str = "points") -> float:
    """``points`` if they give each test of ``spec`` at least a quarter, else ``BadInput``."""
    tests = count_tests(spec)
    if round(points * PARTS) < tests:
        raise BadInput(
            f"{name} {_text(points)}: problem {spec.number} has {tests} tests and each must be "
            f"worth at least a quarter point; give at least {_text(tests / PARTS)}"
        )
    return points


def scored(checks: Sequence[Check], points: float) -> tuple[Check, ...]:
    """The judged ``checks`` with their points; the ``source`` check is no test, worth nothing."""
    tests = [c for c in checks if c.name != "source"]
    worth = iter(spread(points, len(tests)))
    out = []
    for check in checks:
        if check.name == "source":
            out.append(replace(check, score=0.0, max_score=0.0))
            continue
        value = next(worth)
        out.append(replace(check, score=value if check.passed else 0.0, max_score=value))
    return tuple(out)


def unreached(spec: ProblemSpec, time_limit_s: float, points: float, why: str) -> tuple[Check, ...]:
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
