"""The drop-ins as the platforms run them: the GitHub action's step and Gradescope's run_autograder.

Each runs as its platform would start it: a fresh process with the environment the platform
sets, reading and writing the files the platform reads back (GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY; /autograder/results/results.json under a fake root), grading real learner
scripts. Most tests give the step this checkout's interpreter; one lets it install the grader
from the checkout as the runner would.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

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
SYNTAX_P3 = "import socket\nmessage = input(\n"
P3_CHECKS = [
    "connects once to 127.0.0.1:9090",
    "sends the message exactly",
    "prints the reply",
    "closes the connection itself",
    "ends cleanly within 5 s",
]


# -- the GitHub action ----------------------------------------------------------------------------
def test_action_yml_is_one_composite_step_running_the_script() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    (step,) = action["runs"]["steps"]
    assert step["id"] == "grade" and step["shell"] == "bash"
    assert step["run"] == '"$GITHUB_ACTION_PATH/integrations/github/grade-step.sh"'
    # inputs reach the script through the environment, never spliced into the command
    assert step["env"] == {
        "GRADER_FILE": "${{ inputs.file }}",
        "GRADER_PROBLEM": "${{ inputs.problem }}",
        "GRADER_POINTS": "${{ inputs.points }}",
        "GRADER_TIMEOUT": "${{ inputs.timeout }}",
    }
    assert action["inputs"]["file"]["required"] and action["inputs"]["problem"]["required"]
    assert action["inputs"]["points"]["default"] == "100"
    assert action["outputs"]["result"]["value"] == "${{ steps.grade.outputs.result }}"
    assert os.access(STEP, os.X_OK)


def _run_step(
    repo: Path, tmp: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    output, summary = tmp / "github_output", tmp / "step_summary.md"
    output.touch()
    summary.touch()
    runner_temp = tmp / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "FORCE_COLOR": "1",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(repo),
        "RUNNER_TEMP": str(runner_temp),
        "GRADER_PYTHON": sys.executable,
        "GRADER_POINTS": "100",
        "GRADER_TIMEOUT": "",
        **inputs,
    }
    result = subprocess.run(
        ["bash", str(STEP)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,  # a deadline: installing the grader takes minutes on a loaded machine
        stdin=subprocess.DEVNULL,
    )
    return result, output, summary


def _result(output: Path) -> dict[str, Any]:
    (line,) = output.read_text(encoding="utf-8").splitlines()
    assert line.startswith("result=")
    data: dict[str, Any] = json.loads(base64.b64decode(line.removeprefix("result="), validate=True))
    return data


def test_action_step_as_the_runner_runs_it(tmp_path: Path) -> None:
    repo = tmp_path / "student"
    repo.mkdir()
    (repo / "client.py").write_text(BYTES_P3, encoding="utf-8")
    result, output, summary = _run_step(repo, tmp_path, GRADER_FILE="client.py", GRADER_PROBLEM="3")
    assert result.returncode == 0, result.stderr
    data = _result(output)
    assert data["version"] == 1 and data["status"] == "fail" and data["max_score"] == 100
    assert [t["name"].split(": ", 1)[1] for t in data["tests"]] == P3_CHECKS * 3
    # What autograding-grading-reporter does with it: add up the scores.
    assert sum(t["score"] for t in data["tests"]) == 80  # everything but "prints" in 3 runs
    # The log: the report fenced, the colour the runner asked for, one annotation.
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::") and lines[-1] == f"::{lines[0][17:]}::"
    assert "\x1b[31mFAIL\x1b[0m problem 3" in lines[1]
    annotations = [x for x in result.stderr.splitlines() if x.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=client.py,title=problem 3%3A prints the reply")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Socket grader: 0 of 1 passed\n")
    assert "**80 / 100 points**" in text
    assert "| Latin text | prints the reply | ❌ failed | 0 / 7 |" in text


@pytest.mark.timeout(600)  # it makes a virtual environment and installs the grader in it
def test_action_step_installs_the_grader_itself(tmp_path: Path) -> None:
    repo = tmp_path / "student"
    repo.mkdir()
    (repo / "client.py").write_text(PASS_P3, encoding="utf-8")
    result, output, _summary = _run_step(
        repo, tmp_path, GRADER_FILE="client.py", GRADER_PROBLEM="3", GRADER_PYTHON=""
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runner_temp" / "socket-grader-venv" / "bin" / "grade").exists()
    data = _result(output)
    assert data["status"] == "pass" and sum(t["score"] for t in data["tests"]) == 100


def test_action_step_when_the_file_is_missing_or_not_python(tmp_path: Path) -> None:
    repo = tmp_path / "student"
    repo.mkdir()
    result, output, summary = _run_step(repo, tmp_path, GRADER_FILE="client.py", GRADER_PROBLEM="3")
    assert result.returncode == 0, result.stderr
    data = _result(output)
    assert data["status"] == "fail" and sum(t["score"] for t in data["tests"]) == 0
    assert len(data["tests"]) == 15
    assert "no such file" in data["tests"][0]["message"]
    (repo / "client.py").write_text(SYNTAX_P3, encoding="utf-8")
    output.write_text("")
    result, output, summary = _run_step(repo, tmp_path, GRADER_FILE="client.py", GRADER_PROBLEM="3")
    data = _result(output)
    assert [t["name"].split(": ", 1)[1] for t in data["tests"]] == P3_CHECKS * 3
    assert all(t["score"] == 0 for t in data["tests"])
    assert ",line=2," in result.stderr


def test_action_step_with_wrong_inputs_sets_an_error_result(tmp_path: Path) -> None:
    repo = tmp_path / "student"
    repo.mkdir()
    result, output, summary = _run_step(repo, tmp_path, GRADER_FILE="client.py", GRADER_PROBLEM="")
    assert result.returncode == 0
    data = _result(output)
    assert data["status"] == "error" and data["max_score"] == 100
    (test,) = data["tests"]
    assert test["message"] == (
        "The grader could not run; this is not your mistake. "
        "the action needs 'problem': the problem number (1-5)"
    )
    assert "not the learner's mistake" in summary.read_text(encoding="utf-8")


# -- Gradescope -----------------------------------------------------------------------------------
def _autograder(
    tmp: Path, settings: str, files: dict[str, str], python: str = sys.executable
) -> dict[str, Any]:
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
    return data


@pytest.mark.parametrize(
    ("files", "score", "said"),
    [
        ({"client.py": PASS_P3}, 100, "Problem 3 (Question and answer): 100 of 100 points"),
        ({"client.py": BYTES_P3}, 80, "15 checks, 12 passed"),
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
    if said != "15 checks, 12 passed":
        assert said in data["output"], data["output"]
    else:
        assert data["output"].endswith("80 of 100 points; 12 of 15 checks passed")
    # the same tests for every submission, worth 100 together
    assert [t["name"].split(": ", 1)[1] for t in data["tests"]] == P3_CHECKS * 3
    assert sum(t["max_score"] for t in data["tests"]) == 100
    assert sum(t["score"] for t in data["tests"]) == score


def test_run_autograder_points_and_named_file(tmp_path: Path) -> None:
    settings = "GRADER_PROBLEM=3\nGRADER_POINTS=30\nGRADER_FILE=client.py\n"
    data = _autograder(tmp_path, settings, {"client.py": PASS_P3, "helper.py": "x = 1\n"})
    assert data["score"] == 30 and [t["max_score"] for t in data["tests"]] == [2] * 15


def test_run_autograder_when_the_grader_fails(tmp_path: Path) -> None:
    broken = _autograder(tmp_path / "a", "GRADER_PROBLEM=3\n", {"c.py": PASS_P3}, "/bin/false")
    assert broken["score"] == 0 and broken["tests"] == []
    assert broken["output"] == (
        "The grader itself failed; this is not your mistake. Please tell your teacher.\n"
        "the grader ended with status 1 without writing results.json"
    )
    unset = _autograder(tmp_path / "b", "GRADER_PROBLEM=\n", {"c.py": PASS_P3})
    assert unset["output"].endswith(
        "GRADER_PROBLEM is not set: write the problem number into source/grader.env"
    )
    unknown = _autograder(tmp_path / "c", "GRADER_PROBLEM=9\n", {"c.py": PASS_P3})
    assert unknown["score"] == 0
    assert unknown["output"].startswith("The grader itself failed; this is not your mistake.")
    assert "unknown problem 9" in unknown["output"]
