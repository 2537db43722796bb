"""The reference servers' replies carry a random part: they differ from grading to grading.

PROBLEMS.md: "the reply differs from grading to grading ..., so printing a constant never
passes." Seen from outside, as a learner's script sees it: a correct script prints the reply it
received, and its report shows what was printed. A seed given on purpose replays the replies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import Grader
from grader.report import Report
from tests.conftest import SUBMISSIONS

CORRECT = {
    3: SUBMISSIONS / "p3" / "pass_with_block_localhost.py",
    4: SUBMISSIONS / "p4" / "pass_lesson_range_loop.py",
    5: SUBMISSIONS / "p5" / "pass_try_except_else_finally.py",
}


def printed(report: Report) -> list[str]:
    """What the script printed in each run where a reply is printed (shown as a literal)."""
    assert report.verdict == "pass", report.failed_checks  # so what it printed is the reply
    return [c.observed for c in report.checks if c.name == "output" and c.run != "server down"]


@pytest.mark.parametrize("problem", sorted(CORRECT))
def test_two_gradings_without_a_seed_get_different_replies(grader: Grader, problem: int) -> None:
    path: Path = CORRECT[problem]
    first, second = printed(grader.grade(path, problem)), printed(grader.grade(path, problem))
    assert len(first) == len(second) == len(grader.spec(problem).runs) - (problem == 5)
    for one, other in zip(first, second, strict=True):
        assert one != other, f"the same reply in two gradings: {one}"


def test_the_same_seed_replays_the_same_replies(grader: Grader) -> None:
    path = CORRECT[3]
    first, second = printed(grader.grade(path, 3, seed=11)), printed(grader.grade(path, 3, seed=11))
    assert first == second
    assert printed(grader.grade(path, 3, seed=12)) != first
