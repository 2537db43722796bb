"""The library as a platform's backend uses it: grading bytes held in memory, rendering Reports.

Real scripts run as real processes; a Report graded from bytes is compared with the Report of
the same file, and ``grader.render`` with what ``grade --format`` prints.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import grader
from grader.api import Grader
from grader.config import Config
from grader.errors import BadInput
from grader.render import FORMATS
from grader.report import Report
from tests.conftest import SUBMISSIONS

# A traceback naming the learner's file: its line must be found from bytes as from the file.
CRASHES = SUBMISSIONS / "p5" / "fail_send_outside_try.py"
PASSES = SUBMISSIONS / "p5" / "pass_class_client.py"


@pytest.fixture(scope="module", params=["namespace", "routed"])
def each_mode(request: pytest.FixtureRequest) -> Iterator[Grader]:
    made = Grader.create(Config(isolation="auto" if request.param == "namespace" else "routed"))
    if made.isolation != request.param:
        made.close()
        pytest.skip(f"{request.param} mode is not available on this machine")
    yield made
    made.close()


def _timeless(report: Report) -> Report:
    """``report`` less what differs between two gradings of the same file: the times."""
    return replace(
        report,
        duration_s=0.0,
        checks=tuple(
            replace(c, observed=re.sub(r"\d+\.\d\d s", "T", c.observed)) for c in report.checks
        ),
        outcomes=tuple(replace(o, duration_s=0.0) for o in report.outcomes),
        transcripts=tuple(
            replace(
                t,
                duration_s=0.0,
                ending=re.sub(r"\d+\.\d\d", "T", t.ending),
                events=tuple(replace(e, at_s=None) for e in t.events),
            )
            for t in report.transcripts
        ),
    )


@pytest.mark.parametrize("path", [CRASHES, PASSES], ids=["crashes", "passes"])
def test_bytes_in_memory_give_the_report_of_the_same_file(
    each_mode: Grader, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))  # where anything temporary would go
    name = str(path)
    from_file = each_mode.grade(path, 5, seed=11)
    from_bytes = each_mode.grade(problem=5, seed=11, source=path.read_bytes(), filename=name)
    assert _timeless(from_bytes) == _timeless(from_file)
    assert from_bytes.submission == name
    if path == CRASHES:
        assert from_bytes.verdict == "fail" and any(c.line for c in from_bytes.failed_checks)
    as_text = each_mode.grade(problem=5, seed=11, source=path.read_text(), filename=name)
    assert _timeless(as_text) == _timeless(from_file)
    assert list(own_tmp.iterdir()) == []  # nothing left behind, whatever the mode


def test_grade_takes_bytes_named_as_the_platform_names_them() -> None:
    source = PASSES.read_bytes()
    report = grader.grade(source=source, filename="anna/p5.py", problem=5)
    assert (report.verdict, report.submission) == ("pass", "anna/p5.py")
    assert grader.grade(source=b"", problem=2).submission == "submission.py"
    crash = grader.grade(source=CRASHES.read_bytes(), filename="bob.py", problem=5)
    assert 'File "bob.py", line' in "".join(t.stderr for t in crash.transcripts)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"path": PASSES, "source": b"x = 1\n"}, "give either a file's path or its source"),
        ({}, "give either a file's path or its source"),
        ({"path": "a\0b.py"}, "a\\x00b.py: a path cannot hold a NUL character"),
        (
            {"source": b"x = 1\n", "filename": "two\nlines.py"},
            "filename 'two\\nlines.py': give the submission's file name, e.g. 'submission.py'",
        ),
        (
            {"source": b"#" * (1024 * 1024 + 1), "filename": "big.py"},
            "big.py: over 1 MiB, not a practice solution; send the script only",
        ),
        (
            {"source": 42, "filename": "n.py"},
            "n.py: source is int; give the file's bytes or its text",
        ),
        (
            {"source": "\udcff", "filename": "s.py"},
            "s.py: the text cannot be written as UTF-8 (surrogates not allowed)",
        ),
    ],
)
def test_what_cannot_be_graded_is_bad_input_in_one_line(
    grader: Grader, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(BadInput) as caught:
        grader.grade(problem=5, **arguments)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def _grade_command(*args: str) -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    return done.stdout


def _without_numbers(text: str) -> str:
    """Less what differs between two gradings with one seed: times, also in whole seconds."""
    return re.sub(r"\"(duration|execution_time)\": ?[\d.]+|\d+\.\d+", "N", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_gives_what_the_command_prints_for_every_format(fmt: str) -> None:
    report = grader.grade(CRASHES, problem=5, seed=3)
    shown = grader.render(report, fmt)
    assert isinstance(shown, str)
    printed = _grade_command(str(CRASHES), "-p", "5", "--seed", "3", "--format", fmt)
    if fmt == "classroom":  # base64 of JSON: compare the JSON
        shown, printed = (base64.b64decode(t).decode() for t in (shown, printed))
    assert _without_numbers(shown) == _without_numbers(printed)


def test_render_takes_one_report_or_several_and_the_text_options() -> None:
    reports = [grader.grade(CRASHES, problem=5, seed=3), grader.grade(PASSES, problem=5, seed=3)]
    lines = grader.render(reports, "json").splitlines()
    assert len(lines) == 2 and lines[1].startswith('{"schema_version"')
    short = grader.render(reports[0], "text")
    every = grader.render(reports[0], "text", verbose=True)
    assert len(every.splitlines()) > len(short.splitlines())
    assert "\x1b[" in grader.render(reports[0], colour=True)
    assert "\x1b[" not in short
    from grader import render as imported  # the same thing, however it is reached

    assert imported(reports[0], "text") == short


def test_render_refuses_an_unknown_format_or_a_stranger() -> None:
    report = Report("a.py", 2, "Wake up, Neo", (), "invalid", error="no such file")
    with pytest.raises(BadInput) as caught:
        grader.render(report, "pdf")
    assert str(caught.value) == (
        "unknown format 'pdf'; choose from text, json, junit, html, gradescope, classroom"
    )
    with pytest.raises(BadInput, match="render\\(\\) takes Reports, not dict"):
        grader.render([{"verdict": "pass"}], "json")  # type: ignore[list-item]
