"""Points: the rule that spreads a problem's points over its checks, and where they come from."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

from grader.errors import BadInput
from grader.judge.scoring import count_tests, fitting, parse_points, spread, unreached
from grader.paths import data_path
from grader.problem.spec import load_spec

SPEC = """
problem: 2
title: Wake up, Neo
server: problem2.py
points: 30
defaults: {checks: [connected, sent, closed]}
runs:
  - name: first
    messages: ["Wake up, Neo"]
  - name: second
    messages: ["Wake up, Neo"]
"""


@pytest.mark.parametrize(
    ("points", "count", "worth"),
    [
        (100, 4, [25, 25, 25, 25]),
        (100, 15, [6.75] * 10 + [6.5] * 5),  # problem 3: 15 checks, largest remainders first
        (10, 15, [0.75] * 10 + [0.5] * 5),  # the docs' example: no test is worth nothing
        (10, 4, [2.5] * 4),
        (10.5, 4, [2.75, 2.75, 2.5, 2.5]),
        (3.75, 15, [0.25] * 15),  # the least problem 3 can be worth
        (7, 1, [7]),
    ],
)
def test_points_are_quarters_that_add_up(points: float, count: int, worth: list[float]) -> None:
    assert spread(points, count) == worth
    assert sum(worth) == points


@pytest.mark.parametrize("points", [1, 3.75, 7, 10, 10.25, 33.5, 99.75, 100, 1000, 123456.25])
@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 15, 16, 20])
def test_float_sums_are_exact_and_failing_is_never_full(points: float, count: int) -> None:
    """What a platform does with the scores: add them as floats (JavaScript or Python), in order.

    Every subset a submission can pass adds up, as floats, to its exact sum; one failed test
    always leaves the sum below the points.
    """
    if points * 4 < count:
        return
    worth = spread(points, count)
    assert all(w >= 0.25 for w in worth)
    rng = random.Random(f"{points}/{count}")
    for passed in [[True] * count] + [[rng.random() < 0.6 for _ in worth] for _ in range(50)]:
        total = 0.0
        for w, ok in zip(worth, passed, strict=True):
            total += w if ok else 0.0  # the grading reporter's `acc.totalScore += score`
        exact = sum(Fraction(w) for w, ok in zip(worth, passed, strict=True) if ok)
        assert total == float(exact)
        assert (total == points) == all(passed)


def test_too_few_points_for_the_tests_is_refused() -> None:
    with pytest.raises(
        BadInput, match=r"^points 1: 15 tests must each be worth at least a quarter"
    ):
        spread(1, 15)
    spec = load_spec(3)
    assert fitting(spec, 3.75) == 3.75
    with pytest.raises(BadInput) as caught:
        fitting(spec, 3.5, "--points")
    assert str(caught.value) == (
        "--points 3.5: problem 3 has 15 tests and each must be worth at least a quarter point; "
        "give at least 3.75"
    )


@pytest.mark.parametrize(
    ("given", "points"),
    [("10", 10), ("10.5", 10.5), ("7.25", 7.25), (" 12 ", 12), ("+3", 3), (8, 8), (0.75, 0.75)],
)
def test_points_given_as_text_or_numbers(given: object, points: float) -> None:
    assert parse_points(given, "--points") == points


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("abc", "--points abc: give a number of points, such as 10 or 12.5"),
        ("", "--points '': give a number of points, such as 10 or 12.5"),
        ("1e3", "--points 1e3: give a number of points, such as 10 or 12.5"),
        ("nan", "--points nan: give a number of points, such as 10 or 12.5"),
        (float("inf"), "--points inf: give a number of points, such as 10 or 12.5"),
        (True, "--points True: give a number of points, such as 10 or 12.5"),
        ("-5", "--points -5: give a positive number of points, such as 10 or 12.5"),
        ("0", "--points 0: give a positive number of points, such as 10 or 12.5"),
        ("10.1", "--points 10.1: points go in quarters; give 10 or 10.25"),
        ("0.1", "--points 0.1: points go in quarters; give 0 or 0.25"),
        ("2000000", "--points 2000000: give at most 1000000 points"),
    ],
)
def test_bad_points_say_what_to_give(given: object, said: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_points(given, "--points")
    assert str(caught.value) == said


def test_every_shipped_problem_is_worth_100_over_runs_times_checks() -> None:
    for number in (1, 2, 3, 4, 5):
        spec = load_spec(number)
        tests = unreached(spec, 5.0, 100, "not run")
        assert len(tests) == count_tests(spec) == sum(len(r.checks) for r in spec.runs)
        assert sum(t.max_score for t in tests) == 100
        assert [(t.run, t.name) for t in tests] == [
            (r.name, c) for r in spec.runs for c in r.checks
        ]


def test_a_spec_sets_its_points(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    (folder / "2.yaml").write_text(SPEC, encoding="utf-8")
    spec = load_spec(2, folder, data_path("fixtures"))
    assert spec.points == 30
    assert [t.max_score for t in unreached(spec, 5.0, spec.points, "x")] == [5] * 6
    (folder / "2.yaml").write_text(SPEC.replace("points: 30", "points: 0"), encoding="utf-8")
    with pytest.raises(BadInput, match=r"points = 0: it must be a whole number from 1"):
        load_spec(2, folder, data_path("fixtures"))


def test_a_queued_job_takes_points_in_quarters_as_the_command_does() -> None:
    from grader.queue.job import BadJob, make_job, parse_job

    job = make_job(b"x = 1\n", 2, points=10.25)
    assert parse_job(job).points == 10.25
    whole = make_job(b"x = 1\n", 2, points=10.0)
    assert whole["points"] == 10 and whole["job_id"] == make_job(b"x = 1\n", 2, points=10)["job_id"]
    with pytest.raises(BadJob) as refused:
        parse_job({**job, "points": 10.1})
    assert (
        str(refused.value) == "job field 'points' = 10.1: points go in quarters; give 10 or 10.25"
    )
