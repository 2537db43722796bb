"""The shipped examples: the solutions pass, the mistake fails for the reason it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import Grader
from tests.conftest import ROOT

SOLUTIONS = sorted((ROOT / "examples").glob("problem*_*.py"))


@pytest.mark.parametrize(
    "path", [p for p in SOLUTIONS if "mistake" not in p.name], ids=lambda p: p.name
)
def test_example_solution_passes(grader: Grader, path: Path) -> None:
    report = grader.grade(path, int(path.name[len("problem")]))
    assert report.verdict == "pass", report.failed_checks


def test_example_mistake_fails_on_the_newline(grader: Grader) -> None:
    report = grader.grade(ROOT / "examples" / "problem3_mistake.py", 3)
    assert report.verdict == "fail"
    assert report.failed_checks[0].hint.startswith("The message ends with a newline")


def test_the_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib
    import io
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"### As a library\n\n```python\n(.*?)```", readme, re.S)
    assert code, "the README lost its library example"
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})
    first, *batch = out.getvalue().splitlines()
    assert first == "pass 15 of 15 checks passed"
    assert sorted(batch) == [  # grade_many yields in completion order
        "examples/problem3_mistake.py fail",
        "examples/problem3_question.py pass",
    ]
