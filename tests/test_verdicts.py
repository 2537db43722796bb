"""Every learner script we have gets the verdict its first line names, graded for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import Grader
from tests.conftest import SAMPLES, SUBMISSIONS, expectation


def _cases(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _problem(path: Path) -> int:
    name = (
        path.parent.name
        if path.parent.name.startswith("p") and path.parent != SAMPLES
        else path.name
    )
    return int(name[1])


SAMPLE_FILES = _cases(SAMPLES, "p*.py")
CORPUS_FILES = _cases(SUBMISSIONS, "p*/*.py")


def _explain(report) -> str:  # type: ignore[no-untyped-def]
    from grader.render.text_format import render

    return render([report])


@pytest.mark.skipif(not SAMPLE_FILES, reason="the shared samples are not beside this checkout")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_shared_sample(grader: Grader, path: Path) -> None:
    report = grader.grade(path, _problem(path))
    assert report.verdict == expectation(path), _explain(report)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_learner_script(grader: Grader, path: Path) -> None:
    report = grader.grade(path, _problem(path))
    assert report.verdict == expectation(path), _explain(report)
    if report.verdict == "fail":
        for check in report.failed_checks:
            assert check.expected and check.observed and check.hint, check
