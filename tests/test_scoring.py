"""Points: the rule that spreads a problem's points over its checks, and where they come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import BadInput
from grader.judge.scoring import count_tests, spread, unreached
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
        (100, 15, [7] * 10 + [6] * 5),  # problem 3: 15 checks
        (10, 4, [3, 3, 2, 2]),
        (3, 5, [1, 1, 1, 0, 0]),  # fewer points than checks: the last ones are worth nothing
        (7, 1, [7]),
    ],
)
def test_points_are_whole_and_add_up(points: int, count: int, worth: list[int]) -> None:
    assert spread(points, count) == worth
    assert sum(worth) == points


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
