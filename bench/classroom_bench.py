"""``bench.py --classroom``: what the GitHub Classroom action costs a job of one and of five steps.

What it measures
----------------
On a simulated runner (tests/github_runner.py: action.yml's step run as a runner runs it, with
the runner's variables and ``bash -eo pipefail``), with no ``GRADER_PYTHON``, so the action
installs the grader itself as it does on GitHub:

1. a job of one step: problem 1's correct bench submission, in a fresh tool cache;
2. a job of five steps, problems 1-5 one after another (an assignment of five problems), in
   another fresh tool cache.

Each step's wall time is taken around the whole step process, and each step's payload is
checked (status ``pass``, full points). Reported: the one-step job, the five-step job, their
ratio (the aim: at most 1.5, the grader installed once per job), and the five steps one by one
(the first installs, the others reuse). Before the install was shared, every step installed,
so a job cost about five times its first step.

    .venv/bin/python bench/bench.py --classroom [--json]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.github_runner import Runner  # noqa: E402

BENCH = Path(__file__).resolve().parent


def _job(folder: Path, problems: list[int]) -> list[float]:
    """Run one job of one step per problem; each step's seconds, every payload checked."""
    runner = Runner(folder, python=None)
    seconds = []
    for problem in problems:
        (source,) = sorted((BENCH / "submissions" / f"p{problem}").glob("pass_*.py"))
        shutil.copy(source, runner.workspace / f"p{problem}.py")
        started = time.perf_counter()
        step = runner.step(file=f"p{problem}.py", problem=str(problem), points="10")
        seconds.append(time.perf_counter() - started)
        data = step.payload
        total = sum(t["score"] for t in data["tests"])
        if step.process.returncode != 0 or data["status"] != "pass" or total != 10:
            raise SystemExit(f"classroom bench: step for problem {problem} went wrong:\n{step.log}")
    return seconds


def run() -> dict[str, Any]:
    """Measure and print; the figures as a dict for ``--json``."""
    with tempfile.TemporaryDirectory(prefix="classroom-bench-") as scratch:
        one = _job(Path(scratch) / "one", [1])
        five = _job(Path(scratch) / "five", [1, 2, 3, 4, 5])
    ratio = sum(five) / sum(one)
    print("GitHub Classroom action on a simulated runner (installs the grader itself)")
    print(f"  job of 1 step:  {sum(one):6.2f} s")
    print(f"  job of 5 steps: {sum(five):6.2f} s   ratio {ratio:.2f} (aim: at most 1.5)")
    print("  its steps:      " + ", ".join(f"{s:.2f} s" for s in five))
    return {
        "one_step_s": round(sum(one), 2),
        "five_steps_s": round(sum(five), 2),
        "ratio": round(ratio, 2),
        "steps_s": [round(s, 2) for s in five],
    }
