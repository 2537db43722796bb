"""A simulated GitHub runner for the action's step, and GitHub Classroom's grading reporter.

Strategy: run ``action.yml``'s one step as a runner runs a ``shell: bash`` step of a composite
action: the ``run`` text written to a file and run with ``bash --noprofile --norc -eo pipefail
FILE``; the step's ``env`` with ``${{ inputs.* }}`` filled from the ``with:`` values or the
inputs' defaults; the variables a runner sets for every step (``GITHUB_ACTIONS``, ``CI``,
``GITHUB_WORKSPACE``, ``GITHUB_ACTION_PATH``, a fresh ``GITHUB_OUTPUT`` file per step, the job's
``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``, ``RUNNER_TOOL_CACHE``); the action's outputs read back
from ``GITHUB_OUTPUT`` through ``${{ steps.grade.outputs.* }}``. One ``Runner`` is one job: its
tool cache and temporary folder outlive its steps, as on GitHub. ``reporter`` reads the steps'
``result`` outputs as ``autograding-grading-reporter`` does. Used by tests/test_platforms.py and
bench/classroom_bench.py.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*(inputs|steps\.grade\.outputs)\.([\w-]+)\s*\}\}")


@dataclass(frozen=True)
class Step:
    """One step's process (its log is stdout and stderr) and the action's outputs it set."""

    process: subprocess.CompletedProcess[str]
    outputs: dict[str, str]

    @property
    def log(self) -> str:
        return self.process.stdout + self.process.stderr

    @property
    def payload(self) -> dict[str, Any]:
        """The ``result`` output decoded as the reporter decodes it (base64, then JSON)."""
        data: dict[str, Any] = json.loads(base64.b64decode(self.outputs["result"], validate=True))
        return data


class Runner:
    """One job on a simulated runner: a workspace, a temporary folder and a tool cache.

    ``python``: an interpreter that has the grader (set as ``GRADER_PYTHON`` in the job's
    environment, so the step skips installing), or None to let the step install it.
    """

    def __init__(self, folder: Path, python: str | None = sys.executable) -> None:
        self.folder = folder
        self.workspace = folder / "workspace"
        self.temp = folder / "runner_temp"
        self.tool_cache = folder / "tool_cache"
        self.summary = folder / "step_summary.md"
        for path in (self.workspace, self.temp, self.tool_cache):
            path.mkdir(parents=True, exist_ok=True)
        self.summary.touch()
        self.python = python
        self.count = 0

    def step(self, **given: str) -> Step:
        """Run the action's step with these ``with:`` inputs (names as in action.yml)."""
        action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
        (step,) = action["runs"]["steps"]
        inputs = {
            name: str(given.get(name, spec.get("default", "")))
            for name, spec in action["inputs"].items()
        }
        unknown = set(given) - set(inputs)
        assert not unknown, f"action.yml has no inputs {unknown}"
        self.count += 1
        output = self.folder / f"github_output_{self.count}"
        output.touch()
        script = self.temp / f"step_{self.count}.sh"
        script.write_text(_fill(step["run"], inputs, {}), encoding="utf-8")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/root"),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_TOOL_CACHE": str(self.tool_cache),
            **{name: _fill(value, inputs, {}) for name, value in step["env"].items()},
        }
        if self.python:
            env["GRADER_PYTHON"] = self.python
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        assert step["shell"] == "bash" and step["id"] == "grade"
        written = dict(
            line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines()
        )
        outputs = {
            name: _fill(spec["value"], inputs, written) for name, spec in action["outputs"].items()
        }
        return Step(process, outputs)


def _fill(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        table = inputs if match.group(1) == "inputs" else outputs
        return table.get(match.group(2), "")

    return _EXPRESSION.sub(value, text)


def js_number(value: float) -> str:
    """A number as JavaScript prints it in a template string (``100``, ``6.75``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def reporter(results: list[dict[str, Any]]) -> tuple[str, bool]:
    """What autograding-grading-reporter makes of the runners' results.

    Its notice, ``Points <total>/<max>``: each result's tests' scores added, in order, as
    JavaScript numbers (doubles, like Python's floats), and its ``max_score``; a result whose
    ``max_score`` is 0 is left out. And whether it fails the job: a result with status ``fail``
    or ``error``.
    """
    total, most = 0.0, 0.0
    for result in results:
        if not result["max_score"]:
            continue
        most += result["max_score"]
        for test in result["tests"]:
            total += test["score"]
    failed = any(r["status"] in ("fail", "error") for r in results)
    return f"Points {js_number(total)}/{js_number(most)}", failed
