"""Shared fixtures: a grader made once per session, and a way to write learner scripts."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.api import Grader

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text report fits COLUMNS: the terminal running the tests does not choose it."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(scope="session")
def grader() -> Grader:
    return Grader.create()


@pytest.fixture
def script(tmp_path: Path) -> Callable[[str], Path]:
    """Write a learner script (dedented) into a temporary file and return its path."""

    counter = iter(range(10_000))

    def write(source: str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"learner_{next(counter)}.py")
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    return write


def expectation(path: Path) -> str:
    """``pass`` or ``fail``, from a learner script's first line (``# expect: pass``)."""
    # latin-1: the header is ASCII, and some corpus files are deliberately not UTF-8
    first = path.read_bytes().decode("latin-1").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} has no '# expect:' first line"
    return first.removeprefix("# expect: ").strip()


def header_lines(path: Path, key: str) -> list[str]:
    """The values of the ``# <key>: value`` lines among a learner script's first five lines."""
    lines = path.read_bytes().decode("latin-1").splitlines()[:5]
    prefix = f"# {key}: "
    return [line.removeprefix(prefix).strip() for line in lines if line.startswith(prefix)]
