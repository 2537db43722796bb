"""Problem specs (``problems/N.yaml``): what each run gives the script and what is judged.

A spec has ``problem`` (its number), ``title``, ``task`` (what the learner is asked to do),
``judged`` (the rules it is judged by, one line each), optional ``example`` (the run shown as the
example session; default the first), ``server`` (the fixture file in ``fixtures/``), optional
``time_limit_s`` and ``points`` (what the problem is worth, 100 by default), ``defaults`` and
``runs``. The spec is the one source of the problem's statement (``grade --show N``). Each run takes the defaults and may override them:

- ``name``: how the run is called in feedback;
- ``stdin``: the text given on standard input;
- ``server``: ``up`` (the reference server listens) or ``down`` (connections are refused);
- ``connections``: how many connections must reach the server;
- ``messages``: what the server must receive, in order, on that one connection;
- ``output``: ``replies`` (the replies, one per line), ``any`` (not judged) or the exact text;
- ``close``: ``script`` (close() or a with block), ``with`` (a with block) or ``any``;
- ``checks``: the checks to make, in order, from ``grader.judge.checks.CHECKS``.

The spec is data: it is validated here and never turned into code.
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from grader.errors import BadInput
from grader.paths import data_path
from grader.problem.reference import ReferenceServer

CHECK_NAMES = ("connected", "sent", "output", "closed", "clean_end")
RUN_KEYS = {"name", "stdin", "server", "connections", "messages", "output", "close", "checks"}
TOP_KEYS = {
    "problem",
    "title",
    "task",
    "judged",
    "example",
    "server",
    "time_limit_s",
    "points",
    "defaults",
    "runs",
}


@dataclass(frozen=True)
class RunSpec:
    """One run of the learner's script and what it must do in it."""

    name: str
    stdin: str
    server_up: bool
    connections: int
    messages: tuple[str, ...]
    output: str  # "replies", "any", or the exact expected text
    close: str  # "script", "with" or "any"
    checks: tuple[str, ...]
    replies: bool = False  # the reference server answers each message in this run

    @property
    def expected_bytes(self) -> tuple[bytes, ...]:
        return tuple(m.encode("utf-8") for m in self.messages)


@dataclass(frozen=True)
class ProblemSpec:
    """A whole problem: its runs and the reference server that plays the other side."""

    number: int
    title: str
    task: str
    runs: tuple[RunSpec, ...]
    server_class: type[ReferenceServer]
    time_limit_s: float | None
    points: int | None = None  # what the problem is worth; None: the grader's default
    judged: tuple[str, ...] = ()  # the rules it is judged by, for the statement
    example: str = ""  # the name of the run shown as the example session ("": the first)

    def make_server(self, seed: int) -> ReferenceServer:
        """A fresh reference server whose random replies come from ``seed``."""
        return self.server_class(random.Random(seed))


def _fail(where: str, what: str) -> BadInput:
    return BadInput(f"{where}: {what}")


def _load_fixture(path: Path, where: str) -> type[ReferenceServer]:
    if not path.is_file():
        raise _fail(where, f"server: {path.name} not found in {path.parent}; name a fixture file")
    spec = importlib.util.spec_from_file_location(f"grader_fixture_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise _fail(where, f"server: cannot load {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = getattr(module, "Server", None)
    if not (isinstance(server, type) and issubclass(server, ReferenceServer)):
        raise _fail(where, f"server: {path.name} defines no Server(ReferenceServer) class")
    return server


def _run(raw: Any, defaults: dict[str, Any], where: str, index: int, replies: bool) -> RunSpec:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _fail(where, f"runs[{index}] must be a mapping of keys")
    merged = {**defaults, **raw}
    if unknown := sorted(set(merged) - RUN_KEYS):
        raise _fail(where, f"runs[{index}]: unknown key {unknown[0]!r}; known: {sorted(RUN_KEYS)}")
    name = merged.get("name", f"run {index + 1}")
    server = merged.get("server", "up")
    if server not in ("up", "down"):
        raise _fail(where, f"runs[{index}].server = {server!r}; use up or down")
    messages = merged.get("messages", [])
    if not isinstance(messages, list) or not all(isinstance(m, str) and m for m in messages):
        raise _fail(where, f"runs[{index}].messages must be a list of non-empty strings")
    connections = merged.get("connections", 1)
    if not isinstance(connections, int) or isinstance(connections, bool) or connections < 0:
        raise _fail(where, f"runs[{index}].connections must be a whole number")
    output = merged.get("output", "any")
    if not isinstance(output, str):
        raise _fail(where, f"runs[{index}].output must be replies, any or the expected text")
    close = merged.get("close", "any")
    if close not in ("script", "with", "any"):
        raise _fail(where, f"runs[{index}].close = {close!r}; use script, with or any")
    checks = merged.get("checks", [])
    if not isinstance(checks, list) or not checks:
        raise _fail(where, f"runs[{index}].checks must be a list of check names")
    for check in checks:
        if check not in CHECK_NAMES:
            raise _fail(
                where, f"runs[{index}]: unknown check {check!r}; known: {list(CHECK_NAMES)}"
            )
    stdin = merged.get("stdin", "")
    if not isinstance(stdin, str):
        raise _fail(where, f"runs[{index}].stdin must be text")
    return RunSpec(
        name=str(name),
        stdin=stdin,
        server_up=server == "up",
        connections=connections,
        messages=tuple(messages),
        output=output,
        close=close,
        checks=tuple(checks),
        replies=replies and server == "up",
    )


def parse_spec(raw: Any, where: str, fixtures: Path) -> ProblemSpec:
    """Validate a spec already read from YAML; ``where`` names it in errors."""
    if not isinstance(raw, dict):
        raise _fail(where, "a problem spec must be a mapping with problem, title, server, runs")
    if unknown := sorted(set(raw) - TOP_KEYS):
        raise _fail(where, f"unknown key {unknown[0]!r}; known: {sorted(TOP_KEYS)}")
    for key in ("problem", "title", "server", "runs"):
        if key not in raw:
            raise _fail(where, f"missing key {key!r}")
    number = raw["problem"]
    if not isinstance(number, int) or isinstance(number, bool):
        raise _fail(where, f"problem = {number!r}: it must be a whole number")
    runs_raw = raw["runs"]
    if not isinstance(runs_raw, list) or not runs_raw:
        raise _fail(where, "runs must be a non-empty list")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise _fail(where, "defaults must be a mapping")
    limit = raw.get("time_limit_s")
    if limit is not None and (
        not isinstance(limit, (int, float)) or isinstance(limit, bool) or not 0 < limit <= 600
    ):
        # The caller's bound (--timeout, a job's time_limit_s): a spec cannot hold a run longer.
        raise _fail(where, f"time_limit_s = {limit!r}: give a number of seconds from 0 to 600")
    points = raw.get("points")
    if points is not None and (
        not isinstance(points, int) or isinstance(points, bool) or points < 1
    ):
        raise _fail(where, f"points = {points!r}: it must be a whole number from 1")
    judged = raw.get("judged") or []
    if not isinstance(judged, list) or not all(isinstance(j, str) and j for j in judged):
        raise _fail(where, "judged must be a list of rules, one line of text each")
    server_class = _load_fixture(fixtures / str(raw["server"]), where)
    runs = tuple(_run(r, defaults, where, i, server_class.replies) for i, r in enumerate(runs_raw))
    example = str(raw.get("example", ""))
    if example and example not in {r.name for r in runs}:
        raise _fail(where, f"example = {example!r}: name one of the runs")
    return ProblemSpec(
        number=number,
        title=str(raw["title"]),
        task=str(raw.get("task", "")),
        runs=runs,
        server_class=server_class,
        time_limit_s=float(limit) if limit is not None else None,
        points=points,
        judged=tuple(judged),
        example=example,
    )


def available_problems(problems_dir: Path | None = None) -> list[int]:
    """The problem numbers that have a spec file."""
    folder = problems_dir or data_path("problems")
    return sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())


def load_spec(
    number: int, problems_dir: Path | None = None, fixtures_dir: Path | None = None
) -> ProblemSpec:
    """Read and validate ``problems/<number>.yaml`` and load its reference server."""
    folder = problems_dir or data_path("problems")
    path = folder / f"{number}.yaml"
    if not path.is_file():
        known = ", ".join(map(str, available_problems(folder))) or "none"
        raise BadInput(
            f"unknown problem {number}: there is no {path.name}; known problems: {known}"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(str(path), f"not valid YAML ({exc}); fix the syntax") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), f"cannot read the spec ({exc})") from None
    spec = parse_spec(raw, str(path), fixtures_dir or data_path("fixtures"))
    if spec.number != number:
        raise _fail(str(path), f"problem = {spec.number}, but the file is named {path.name}")
    return spec
