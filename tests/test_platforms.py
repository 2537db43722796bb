"""The drop-ins as the platforms run them: the GitHub action's step and Gradescope's run_autograder.

The action's step runs on a simulated runner (tests/github_runner.py): action.yml's step as a
runner runs it (its environment, ``bash -eo pipefail``), its payload read as GitHub's
autograding-grading-reporter reads it (the scores added as floats, in order). run_autograder
runs on a fake /autograder tree and its results.json is read as Gradescope's specification
says. For a pass, a fail, a syntax error, a missing file and each bad input, every payload is
valid JSON, its score is the sum of its tests, no test is worth 0, a failing submission never
gets full marks, and the tests are the problem's, by the same names, on every platform. Most
tests give the step this checkout's interpreter; one lets it install the grader as a runner
would, once for the job.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.github_runner import ACTION, Runner, Step, reporter

ROOT = Path(__file__).resolve().parent.parent
STEP = ROOT / "integrations" / "github" / "grade-step.sh"
RUN_AUTOGRADER = ROOT / "integrations" / "gradescope" / "run_autograder"

PASS_P3 = """\
import socket
message = input()
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    print(s.recv(1024).decode())
"""
BYTES_P3 = """\
import socket
message = input()
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    print(s.recv(1024))
"""
# Right for every input but the emoji: only the last run fails (the docs' `points: 10` once gave
# that run no points at all, so this script got 10 of 10).
EMOJI_P3 = """\
import socket
message = ''.join(c for c in input() if ord(c) <= 0xFFFF)
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send(message.encode())
    print(s.recv(1024).decode())
"""
SYNTAX_P3 = "import socket\nmessage = input(\n"
P3_CHECKS = [
    "connects once to 127.0.0.1:9090",
    "sends the message exactly",
    "prints the reply",
    "closes the connection itself",
    "ends cleanly within 5 s",
]
P3_TESTS = [
    f"{run}: {check}"
    for run in ("Latin text", "non-ASCII letters", "an emoji")
    for check in P3_CHECKS
]
KNOWN = "known problems: 1 (knock), 2 (wake-up), 3 (question), 4 (keep-talking), 5 (nobody-home)"
REPORTER_TEST_KEYS = {
    "name",
    "status",
    "score",
    "message",
    "test_code",
    "filename",
    "line_no",
    "duration",
}


def _classroom(step: Step, verdict: str) -> dict[str, Any]:
    """The step's payload, checked as the reporter reads it; the outputs beside it agree."""
    assert step.process.returncode == 0, step.log
    data = step.payload
    assert data["version"] == 1 and data["status"] == verdict
    assert data["max_score"] > 0  # else the reporter leaves the problem out of the total
    for test in data["tests"]:
        assert set(test) == REPORTER_TEST_KEYS
        assert test["status"] in ("pass", "fail", "error") and test["score"] >= 0
    notice, failed = reporter([data])
    total = sum(t["score"] for t in data["tests"])
    assert notice == f"Points {step.outputs['score']}/{step.outputs['max-score']}"
    assert (
        float(step.outputs["score"]) == total
        and float(step.outputs["max-score"]) == data["max_score"]
    )
    # full marks exactly when it passed, and the reporter fails the job otherwise
    assert (total == data["max_score"]) == (verdict == "pass") == (not failed)
    return data


def _names(data: dict[str, Any]) -> list[str]:
    return [t["name"] for t in data["tests"]]


# -- the GitHub action ----------------------------------------------------------------------------
def test_action_yml_is_one_composite_step_running_the_script() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    (step,) = action["runs"]["steps"]
    assert step["id"] == "grade" and step["shell"] == "bash"
    assert step["run"] == '"$GITHUB_ACTION_PATH/integrations/github/grade-step.sh"'
    # inputs reach the script through the environment, never spliced into the command
    assert step["env"] == {
        f"GRADER_{name.upper()}": f"${{{{ inputs.{name} }}}}"
        for name in ("file", "problem", "points", "timeout", "lang", "config")
    }
    assert action["inputs"]["file"]["required"] and action["inputs"]["problem"]["required"]
    assert action["inputs"]["points"]["default"] == "100"
    assert {name: spec["value"] for name, spec in action["outputs"].items()} == {
        "result": "${{ steps.grade.outputs.result }}",
        "score": "${{ steps.grade.outputs.score }}",
        "max-score": "${{ steps.grade.outputs.max-score }}",
    }
    assert os.access(STEP, os.X_OK)


def test_action_step_as_the_runner_runs_it(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    (runner.workspace / "client.py").write_text(BYTES_P3, encoding="utf-8")
    step = runner.step(file="client.py", problem="3")
    data = _classroom(step, "fail")
    assert _names(data) == P3_TESTS
    # everything but "prints" in 3 runs: 100 - 6.75 - 6.75 - 6.5
    assert (step.outputs["score"], step.outputs["max-score"]) == ("80", "100")
    # The log: the report fenced, its verdict line with the points, one annotation.
    lines = step.process.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::") and lines[-1] == f"::{lines[0][17:]}::"
    assert lines[1] == (
        "FAIL problem 3 (Question and answer): 12 of 15 checks passed · 80 / 100 points"
    )
    annotations = [x for x in step.process.stderr.splitlines() if x.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=client.py,title=problem 3%3A prints the reply")
    text = runner.summary.read_text(encoding="utf-8")
    assert text.startswith("## Socket grader: 0 of 1 passed\n")
    assert "**80 / 100 points**" in text
    assert "| Latin text | prints the reply | ❌ failed | 0 / 6.75 |" in text
    assert "| an emoji | prints the reply | ❌ failed | 0 / 6.5 |" in text
    rows = re.findall(r"^\| (.+?) \| (.+?) \| .+? \| [\d.]+ / [\d.]+ \|$", text, re.M)
    assert [f"{run}: {check}" for run, check in rows] == P3_TESTS


def test_the_docs_example_never_gives_a_failing_script_full_marks(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    (runner.workspace / "client.py").write_text(EMOJI_P3, encoding="utf-8")
    step = runner.step(file="client.py", problem="3", points="10")
    data = _classroom(step, "fail")
    failed = [t["name"] for t in data["tests"] if t["status"] == "fail"]
    assert failed and all(name.startswith("an emoji: ") for name in failed)
    assert (step.outputs["score"], step.outputs["max-score"]) == ("8.5", "10")
    (runner.workspace / "client.py").write_text(PASS_P3, encoding="utf-8")
    passed = _classroom(runner.step(file="client.py", problem="3", points="10"), "pass")
    assert reporter([data, passed]) == ("Points 18.5/20", True)


def test_action_step_when_the_file_is_missing_or_not_python(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    missing = _classroom(runner.step(file="client.py", problem="3"), "fail")
    assert _names(missing) == P3_TESTS and missing["max_score"] == 100
    assert sum(t["score"] for t in missing["tests"]) == 0
    assert "client.py: no such file" in missing["tests"][0]["message"]
    (runner.workspace / "client.py").write_text(SYNTAX_P3, encoding="utf-8")
    step = runner.step(file="client.py", problem="3")
    syntax = _classroom(step, "fail")
    assert _names(syntax) == P3_TESTS
    assert all(t["score"] == 0 for t in syntax["tests"])
    assert syntax["tests"][0]["message"].startswith("SyntaxError at line 2")
    assert ",line=2," in step.process.stderr


def test_action_inputs_timeout_config_and_lang(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    (runner.workspace / "client.py").write_text(PASS_P3, encoding="utf-8")
    shipped = (ROOT / "grader.toml").read_text(encoding="utf-8")
    (runner.workspace / "grader.toml").write_text(
        shipped.replace("time_limit_s = 5.0", "time_limit_s = 3.0"), encoding="utf-8"
    )
    timed = _classroom(runner.step(file="client.py", problem="3", timeout="2", lang="en"), "pass")
    assert _names(timed) == [name.replace("within 5 s", "within 2 s") for name in P3_TESTS]
    configured = _classroom(
        runner.step(file="client.py", problem="3", config="grader.toml"), "pass"
    )
    assert _names(configured) == [name.replace("within 5 s", "within 3 s") for name in P3_TESTS]


@pytest.mark.parametrize(
    ("inputs", "reason", "most"),
    [
        ({"problem": ""}, "the action needs 'problem': the problem number (1-5)", 100),
        ({"file": ""}, "the action needs 'file': the learner's script to grade", 100),
        (
            {"problem": "9"},
            f"unknown problem 9: no pack holds it; {KNOWN}",
            100,
        ),
        (
            {"problem": "three"},
            f"unknown problem three: no pack holds it; {KNOWN}",
            100,
        ),
        ({"points": "abc"}, "--points abc: give a number of points, such as 10 or 12.5", 100),
        (
            {"points": "-5"},
            "--points -5: give a positive number of points, such as 10 or 12.5",
            100,
        ),
        ({"points": "0"}, "--points 0: give a positive number of points, such as 10 or 12.5", 100),
        ({"points": "10.1"}, "--points 10.1: points go in quarters; give 10 or 10.25", 10.1),
        (
            {"points": "1"},
            "--points 1: problem 3 has 15 tests and each must be worth at least a quarter "
            "point; give at least 3.75",
            1,
        ),
        ({"points": '10",'}, '--points 10",: give a number of points, such as 10 or 12.5', 100),
        ({"timeout": "abc"}, "argument --timeout: 'abc': give a number of seconds, such as 5", 100),
        ({"timeout": "0"}, "--timeout 0: give a number of seconds from 0 to 600", 100),
        ({"config": "nope.toml"}, "nope.toml: configuration file not found; check the path", 100),
    ],
)
def test_action_step_with_bad_inputs_sets_an_error_result_that_says_why(
    tmp_path: Path, inputs: dict[str, str], reason: str, most: float
) -> None:
    runner = Runner(tmp_path)
    (runner.workspace / "client.py").write_text(PASS_P3, encoding="utf-8")
    step = runner.step(**{"file": "client.py", "problem": "3", **inputs})
    data = _classroom(step, "error")
    assert data["max_score"] == most
    (test,) = data["tests"]
    assert (test["name"], test["status"], test["score"]) == ("grading", "error", 0)
    # the one line the grader gave, for the student in the reporter's log ...
    assert test["message"] == f"The grader could not run; this is not your mistake. {reason}"
    # ... and for the teacher: an annotation and the job summary
    assert f"::error title=socket-grader::{reason}" in step.process.stderr
    assert reason in runner.summary.read_text(encoding="utf-8")
    assert step.outputs["score"] == "0"


@pytest.mark.timeout(600)  # pip builds and installs the grader: minutes on a busy machine
def test_action_installs_the_grader_once_per_job(tmp_path: Path) -> None:
    """The first step installs into the tool cache; the next finds it and grades at once."""
    runner = Runner(tmp_path, python=None)
    (runner.workspace / "client.py").write_text(PASS_P3, encoding="utf-8")
    (runner.workspace / "other.py").write_text(BYTES_P3, encoding="utf-8")
    first = runner.step(file="client.py", problem="3", points="10")
    assert "socket-grader: installing the grader " in first.process.stderr, first.log
    second = runner.step(file="other.py", problem="3", points="10")
    assert "installing" not in second.process.stderr
    assert "socket-grader: using the grader " in second.process.stderr
    (home,) = [p for p in (runner.tool_cache / "socket-grader").iterdir() if p.is_dir()]
    version = subprocess.run(
        [str(home / "bin" / "grade"), "--version"], capture_output=True, text=True, check=False
    )
    assert version.stdout.startswith("grade ") and home.name.startswith(version.stdout[6:].strip())
    results = [_classroom(first, "pass"), _classroom(second, "fail")]
    assert reporter(results) == ("Points 18/20", True)


# -- Gradescope -----------------------------------------------------------------------------------
def _autograder(
    tmp: Path, settings: str, files: dict[str, str], python: str = sys.executable
) -> dict[str, Any]:
    """run_autograder on a fake tree; results.json checked against Gradescope's specification."""
    root = tmp / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    (root / "source" / "grader.env").write_text(settings, encoding="utf-8")
    for name, source in files.items():
        if source == "<folder>":
            (root / "submission" / name).mkdir()
        else:
            (root / "submission" / name).write_text(source, encoding="utf-8")
    result = subprocess.run(
        [str(RUN_AUTOGRADER)],
        env={
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/root"),
            "AUTOGRADER_ROOT": str(root),
            "GRADER_PYTHON": python,
        },
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(
        (root / "results" / "results.json").read_text(encoding="utf-8")
    )
    assert isinstance(data["score"], (int, float)) and isinstance(data["output"], str)
    assert isinstance(data["execution_time"], (int, float)) and data["execution_time"] > 0
    assert data["score"] == sum(t["score"] for t in data["tests"])
    for test in data["tests"]:
        assert test["max_score"] > 0 and 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
    return data


@pytest.mark.parametrize(
    ("files", "score", "said"),
    [
        ({"client.py": PASS_P3}, 100, "Problem 3 (Question and answer): 100 of 100 points"),
        (
            {"client.py": BYTES_P3},
            80,
            "80 of 100 points; 12 of 15 checks passed\n\n"
            "First mistake: prints the reply (run “Latin text”)\nexpected  ",
        ),
        ({"client.py": SYNTAX_P3}, 0, "SyntaxError at line 2"),
        ({}, 0, "No .py file was submitted. Upload your client script (one .py file)."),
        (
            {"a.py": PASS_P3, "b.py": PASS_P3},
            0,
            "Several .py files were submitted (a.py, b.py); upload only your client script.",
        ),
        ({"client.py": "<folder>"}, 0, "client.py: is a folder"),
    ],
)
def test_run_autograder_on_a_fake_tree(
    tmp_path: Path, files: dict[str, str], score: int, said: str
) -> None:
    data = _autograder(tmp_path, "GRADER_PROBLEM=3\n", files)
    assert data["score"] == score
    assert said in data["output"], data["output"]
    # the same tests for every submission, worth 100 together; full marks only for a pass
    assert [t["name"] for t in data["tests"]] == P3_TESTS
    assert sum(t["max_score"] for t in data["tests"]) == 100
    assert (score == 100) == all(t["status"] == "passed" for t in data["tests"])


def test_run_autograder_points_and_named_file(tmp_path: Path) -> None:
    settings = "GRADER_PROBLEM=3\nGRADER_POINTS=10\nGRADER_FILE=client.py\n"
    data = _autograder(tmp_path, settings, {"client.py": EMOJI_P3, "helper.py": "x = 1\n"})
    assert [t["max_score"] for t in data["tests"]] == [0.75] * 10 + [0.5] * 5
    assert data["score"] == 8.5 and data["output"].startswith(
        "Problem 3 (Question and answer): 8.5 of 10 points"
    )


def test_the_same_tests_on_both_platforms(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "github")
    for source in (PASS_P3, BYTES_P3, SYNTAX_P3):
        (runner.workspace / "client.py").write_text(source, encoding="utf-8")
        classroom = runner.step(file="client.py", problem="3", points="10").payload
        gradescope = _autograder(
            tmp_path / str(len(source)), "GRADER_PROBLEM=3\nGRADER_POINTS=10\n", {"c.py": source}
        )
        assert _names(classroom) == [t["name"] for t in gradescope["tests"]] == P3_TESTS
        assert [t["score"] for t in classroom["tests"]] == [t["score"] for t in gradescope["tests"]]


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        (
            "GRADER_PROBLEM=\n",
            "GRADER_PROBLEM is not set: write the problem number into source/grader.env",
        ),
        (
            "GRADER_PROBLEM=9\n",
            f"unknown problem 9: no pack holds it; {KNOWN}",
        ),
        ("GRADER_PROBLEM=three\n", f"unknown problem three: no pack holds it; {KNOWN}"),
        (
            "GRADER_PROBLEM=3\nGRADER_POINTS=abc\n",
            "GRADER_POINTS abc: give a number of points, such as 10 or 12.5",
        ),
        (
            "GRADER_PROBLEM=3\nGRADER_POINTS=10.1\n",
            "GRADER_POINTS 10.1: points go in quarters; give 10 or 10.25",
        ),
        (
            "GRADER_PROBLEM=3\nGRADER_POINTS=1\n",
            "GRADER_POINTS 1: problem 3 has 15 tests and each must be worth at least a quarter "
            "point; give at least 3.75",
        ),
        (
            "GRADER_PROBLEM=3\nGRADER_TIMEOUT=abc\n",
            "GRADER_TIMEOUT 'abc': give a number of seconds, such as 5",
        ),
        (
            "GRADER_PROBLEM=3\nGRADER_TIMEOUT=0\n",
            "GRADER_TIMEOUT 0: give a number of seconds from 0 to 600",
        ),
    ],
)
def test_run_autograder_with_bad_settings_says_why(
    tmp_path: Path, settings: str, said: str
) -> None:
    data = _autograder(tmp_path, settings, {"c.py": PASS_P3})
    assert data["score"] == 0 and data["tests"] == []
    assert data["output"] == (
        "The autograder's settings are wrong, so nothing was graded; this is not your mistake. "
        f"Please tell your teacher.\n{said}"
    )


def test_run_autograder_when_the_grader_fails(tmp_path: Path) -> None:
    broken = _autograder(tmp_path / "a", "GRADER_PROBLEM=3\n", {"c.py": PASS_P3}, "/bin/false")
    assert broken["score"] == 0 and broken["tests"] == []
    assert broken["output"] == (
        "The grader itself failed; this is not your mistake. Please tell your teacher.\n"
        "the grader is not installed at /bin/false: setup.sh did not finish; rebuild the "
        "autograder"
    )
    crashing = tmp_path / "crashing"
    crashing.write_text(
        f'#!/bin/sh\n[ "$3" = --version ] && exec {sys.executable} "$@"\n'
        'echo "Fatal Python error: the interpreter broke" >&2\nexit 134\n',
        encoding="utf-8",
    )
    crashing.chmod(0o755)
    crashed = _autograder(tmp_path / "b", "GRADER_PROBLEM=3\n", {"c.py": PASS_P3}, str(crashing))
    assert crashed["output"] == (
        "The grader itself failed; this is not your mistake. Please tell your teacher.\n"
        "the grader ended with status 134 without writing results.json: "
        "Fatal Python error: the interpreter broke"
    )
