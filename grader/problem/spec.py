"""Problem specs (``problem.yaml`` of a pack, ``problems/N.yaml`` of the built-in pack):
what each run gives the script and what is judged. ``grader/schema/problem.schema.json`` is
the same schema as a JSON Schema, for editors and for the teacher's own checks.

A spec has ``problem`` (its number), ``name`` (an ID such as ``echo-twice``; default: its
folder's name), ``title``, ``task`` (what the learner is asked to do), ``judged`` (the rules it
is judged by, one line each), optional ``example`` (the run shown as the example session;
default the first; ``grade --show``), ``server`` (the reference server's file), optional
``statement`` (a file; default ``statement.md`` when present),
``solutions`` and ``mistakes`` (folders the pack's self-test grades; default ``solutions/``
and ``mistakes/``), ``time_limit_s``, ``points`` (what the problem is worth, 100 by default),
``defaults`` and ``runs``. Paths are relative to the spec's own folder. Each run takes the
defaults and may override them:

- ``name``: how the run is called in feedback;
- ``stdin``: the text given on standard input;
- ``server``: ``up`` (the reference server listens) or ``down`` (connections are refused);
- ``connections``: how many connections must reach the server;
- ``messages``: what the server must receive, in order, on that one connection (a server
  whose reply decides the next message computes the rest: ``ReferenceServer.expected``);
- ``output``: ``replies`` (what the server's ``printed`` says: by default the replies, one per
  line), ``any`` (not judged) or the exact text;
- ``close``: ``script`` (close() or a with block), ``with`` (a with block) or ``any``;
- ``checks``: the checks to make, in order, from ``grader.judge.checks.CHECKS``;
- ``hidden``: graded and scored, but its inputs and bytes are never shown to the learner.

The spec is data: it is validated here, every error naming the file, the line and the fix,
and never turned into code. A malformed spec is bad input (exit status 2).
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from grader.errors import BadInput
from grader.paths import data_path
from grader.problem.pack import (
    SAFE_LOADER,
    Entry,
    Pack,
    builtin_pack,
    default_name,
    find_problem,
)
from grader.problem.reference import PackFault, ReferenceServer

CHECK_NAMES = ("connected", "sent", "output", "closed", "clean_end")
RUN_KEYS = {
    "name",
    "stdin",
    "server",
    "connections",
    "messages",
    "output",
    "close",
    "checks",
    "hidden",
}
TOP_KEYS = {
    "problem",
    "name",
    "title",
    "task",
    "judged",
    "example",
    "server",
    "statement",
    "solutions",
    "mistakes",
    "time_limit_s",
    "points",
    "defaults",
    "runs",
}
Where = tuple[str | int, ...]  # a key's place in the spec: ("runs", 0, "server")


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
    hidden: bool = False  # graded and scored; its inputs and bytes are never shown
    # The reference server's class: what it expects after its replies, and what a learner
    # prints of them (pure class methods; the server of a run is an instance of it).
    server_class: type[ReferenceServer] = field(default=ReferenceServer, compare=False, repr=False)

    @property
    def expected_bytes(self) -> tuple[bytes, ...]:
        return tuple(m.encode("utf-8") for m in self.messages)

    def wanted(self, replies: tuple[bytes, ...]) -> tuple[bytes, ...]:
        """The messages this run wants, given the replies the server sent."""
        return self.server_class.expected(self.expected_bytes, replies)

    def printed(self, replies: tuple[bytes, ...]) -> str:
        """What the program must print when ``output`` is ``replies``."""
        return self.server_class.printed(replies)


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
    name: str = ""
    path: Path | None = None  # the spec file
    pack: str = ""  # where it came from, as a teacher reads it ("pack examples/pack")
    statement: str = ""  # the statement's text (the task when the pack has no file)
    solutions: Path | None = None  # the pack's own solutions (must pass) and mistakes (must fail)
    mistakes: Path | None = None
    judged: tuple[str, ...] = ()  # the rules it is judged by, for the statement
    example: str = ""  # the name of the run shown as the example session ("": the first)

    @property
    def origin(self) -> str:
        """The problem and its pack, as a teacher reads them in a fault of its server."""
        return f"problem {self.number} ({self.name}) of {self.pack or 'a pack'}"

    def make_server(self, seed: int) -> ReferenceServer:
        """A fresh reference server whose random replies come from ``seed``."""
        origin = self.origin
        try:
            server = self.server_class(random.Random(seed))
        except Exception as exc:  # the pack's code: its fault, named, never the learner's
            what = f"the server's __init__() raised {type(exc).__name__}: {exc}"
            raise PackFault(f"{origin}: {what}") from exc
        server.origin = origin
        return server


class Lines:
    """The line of each key of a YAML document, to name it in errors."""

    def __init__(self, node: yaml.Node | None) -> None:
        self._lines: dict[Where, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, where: Where) -> None:
        self._lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*where, str(key.value))
                self._lines[here] = key.start_mark.line + 1
                self._walk(value, here)
                self._lines[here] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*where, i))

    def of(self, where: Where) -> int | None:
        """The line of ``where``, else of the nearest key around it."""
        for n in range(len(where), -1, -1):
            if where[:n] in self._lines:
                return self._lines[where[:n]]
        return None


class _Spec:
    """Errors of one spec file: ``file:line: what; the fix``."""

    def __init__(self, name: str, lines: Lines) -> None:
        self.name = name
        self.lines = lines

    def fail(self, what: str, *where: str | int) -> BadInput:
        line = self.lines.of(tuple(where))
        return BadInput(f"{self.name}:{line}: {what}" if line else f"{self.name}: {what}")


def _path_of(where: tuple[str | int, ...]) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _load_server(path: Path, errors: _Spec) -> type[ReferenceServer]:
    if not path.is_file():
        raise errors.fail(
            f"server: {path.name} not found in {path.parent}; name the reference server's file "
            "(relative to the spec)",
            "server",
        )
    spec = importlib.util.spec_from_file_location(f"grader_fixture_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise errors.fail(f"server: cannot load {path}", "server")
    module: ModuleType = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the teacher's code: one line naming it, never a traceback
        raise errors.fail(
            f"server: {path} cannot be imported ({type(exc).__name__}: {exc}); fix that file",
            "server",
        ) from None
    server = getattr(module, "Server", None)
    if not (isinstance(server, type) and issubclass(server, ReferenceServer)):
        raise errors.fail(
            f"server: {path.name} defines no Server(ReferenceServer) class; add one", "server"
        )
    return server


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _run(
    raw: Any, defaults: dict[str, Any], errors: _Spec, index: int, server: type[ReferenceServer]
) -> RunSpec:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise errors.fail(f"runs[{index}] must be a mapping of keys", "runs", index)

    def at(key: str) -> tuple[str | int, ...]:
        return ("runs", index, key) if key in raw else ("defaults", key)

    def fail(key: str, what: str) -> BadInput:
        return errors.fail(f"{_path_of(at(key))} {what}", *at(key))

    merged = {**defaults, **raw}
    for key in merged:
        if key not in RUN_KEYS:
            raise errors.fail(
                f"{_path_of(at(key))}: unknown key {key!r}; known: {sorted(RUN_KEYS)}", *at(key)
            )
    name = merged.get("name", f"run {index + 1}")
    where_up = merged.get("server", "up")
    if where_up not in ("up", "down"):
        raise fail("server", f"= {where_up!r}; use up or down")
    messages = merged.get("messages", [])
    if not isinstance(messages, list) or not all(isinstance(m, str) and m for m in messages):
        raise fail("messages", 'must be a list of non-empty strings, e.g. ["Hello"]')
    connections = merged.get("connections", 1)
    if not _whole(connections) or connections < 0:
        raise fail("connections", f"= {connections!r}; it must be a whole number from 0")
    output = merged.get("output", "any")
    if not isinstance(output, str):
        raise fail("output", "must be replies, any or the expected text (quoted)")
    close = merged.get("close", "any")
    if close not in ("script", "with", "any"):
        raise fail("close", f"= {close!r}; use script, with or any")
    checks = merged.get("checks", [])
    if not isinstance(checks, list) or not checks:
        raise fail("checks", f"must be a list of check names from {list(CHECK_NAMES)}")
    for check in checks:
        if check not in CHECK_NAMES:
            raise fail("checks", f"names an unknown check {check!r}; known: {list(CHECK_NAMES)}")
    stdin = merged.get("stdin", "")
    if not isinstance(stdin, str):
        raise fail("stdin", "must be text (quote it)")
    hidden = merged.get("hidden", False)
    if not isinstance(hidden, bool):
        raise fail("hidden", f"= {hidden!r}; use true or false")
    return RunSpec(
        name=str(name),
        stdin=stdin,
        server_up=where_up == "up",
        connections=connections,
        messages=tuple(messages),
        output=output,
        close=close,
        checks=tuple(checks),
        replies=server.replies and where_up == "up",
        hidden=hidden,
        server_class=server,
    )


def _file(raw: dict[str, Any], key: str, base: Path, default: str, errors: _Spec) -> Path | None:
    """The file or folder ``raw[key]`` names, relative to ``base``; None when the default is
    absent; an error when a named one is."""
    value = raw.get(key)
    if value is None:
        path = base / default
        return path if path.exists() else None
    if not isinstance(value, str) or not value:
        raise errors.fail(f"{key} must be a path relative to the spec", key)
    path = base / value
    if not path.exists():
        raise errors.fail(f"{key}: {value} not found in {base}; fix the path", key)
    return path


def parse_spec(
    raw: Any,
    where: str,
    fixtures: Path,
    lines: Lines | None = None,
    name: str = "",
    pack: str = "",
) -> ProblemSpec:
    """Validate a spec already read from YAML; ``where`` names it in errors, ``fixtures`` is
    the folder its paths are relative to."""
    errors = _Spec(where, lines or Lines(None))
    if not isinstance(raw, dict):
        raise errors.fail("a problem spec must be a mapping with problem, title, server, runs")
    for key in raw:
        if key not in TOP_KEYS:
            raise errors.fail(f"unknown key {key!r}; known: {sorted(TOP_KEYS)}", str(key))
    for key in ("problem", "title", "server", "runs"):
        if key not in raw:
            raise errors.fail(f"missing key {key!r}; add it (see docs/authoring.md)")
    number = raw["problem"]
    if not _whole(number) or number < 1:
        raise errors.fail(f"problem = {number!r}: it must be a whole number from 1", "problem")
    given = raw.get("name", name or str(number))
    if not isinstance(given, str) or not given:
        raise errors.fail("name must be text such as echo-twice", "name")
    runs_raw = raw["runs"]
    if not isinstance(runs_raw, list) or not runs_raw:
        raise errors.fail("runs must be a non-empty list of runs", "runs")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise errors.fail("defaults must be a mapping of run keys", "defaults")
    limit = raw.get("time_limit_s")
    if limit is not None and (
        not isinstance(limit, (int, float)) or isinstance(limit, bool) or not 0 < limit <= 600
    ):
        # The caller's bound (--timeout, a job's time_limit_s): a spec cannot hold a run longer.
        raise errors.fail(
            f"time_limit_s = {limit!r}: give a number of seconds from 0 to 600", "time_limit_s"
        )
    points = raw.get("points")
    if points is not None and (not _whole(points) or points < 1):
        raise errors.fail(f"points = {points!r}: it must be a whole number from 1", "points")
    server = raw["server"]
    if not isinstance(server, str) or not server:
        raise errors.fail("server must name the reference server's file, e.g. server.py", "server")
    judged = raw.get("judged") or []
    if not isinstance(judged, list) or not all(isinstance(j, str) and j for j in judged):
        raise errors.fail("judged must be a list of rules, one line of text each", "judged")
    server_class = _load_server(fixtures / server, errors)
    runs = tuple(_run(r, defaults, errors, i, server_class) for i, r in enumerate(runs_raw))
    example = str(raw.get("example", ""))
    if example and example not in {r.name for r in runs if not r.hidden}:
        raise errors.fail(f"example = {example!r}: name one of the runs not hidden", "example")
    task = raw.get("task", "")
    statement_file = _file(raw, "statement", fixtures, "statement.md", errors)
    try:
        statement = statement_file.read_text(encoding="utf-8") if statement_file else str(task)
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.fail(f"statement: cannot read it ({exc})", "statement") from None
    return ProblemSpec(
        number=number,
        title=str(raw["title"]),
        task=str(task),
        runs=runs,
        server_class=server_class,
        time_limit_s=float(limit) if limit is not None else None,
        points=points,
        name=given,
        path=Path(where),
        pack=pack,
        statement=statement,
        solutions=_file(raw, "solutions", fixtures, "solutions", errors),
        mistakes=_file(raw, "mistakes", fixtures, "mistakes", errors),
        judged=tuple(judged),
        example=example,
    )


def read_spec(path: Path, fixtures: Path | None = None, pack: Pack | None = None) -> ProblemSpec:
    """Read, validate and load the spec file at ``path`` (paths in it relative to its folder,
    or to ``fixtures``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the spec ({exc})") from None
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
        raw = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        # Where an unclosed bracket or quote opened, else where the parser stopped.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        context = getattr(exc, "context", None)
        said = f"{context}: {problem}" if context else problem
        raise BadInput(f"{where}: not valid YAML ({said}); fix the syntax") from None
    label = pack.label if pack is not None else ""
    return parse_spec(
        raw, str(path), fixtures or path.parent, Lines(node), default_name(path), label
    )


def available_problems(problems_dir: Path | None = None) -> list[int]:
    """The problem numbers that have a flat spec file (``N.yaml``) in the folder."""
    folder = problems_dir or data_path("problems")
    return sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())


def load_entry(entry: Entry) -> ProblemSpec:
    """The spec a pack lists."""
    spec = read_spec(entry.path, pack=entry.pack)
    if entry.path.stem.isdigit() and spec.number != int(entry.path.stem):
        raise BadInput(
            f"{entry.path}: problem = {spec.number}, but the file is named {entry.path.name}"
        )
    return spec


def find_spec(problem: int | str, packs: list[Pack] | None = None) -> ProblemSpec:
    """The spec of ``problem`` (a number or a name) from the first of ``packs`` holding it
    (default: installed packs, then the built-in one)."""
    from grader.problem.pack import find_packs

    return load_entry(find_problem(problem, packs if packs is not None else find_packs()))


def load_spec(
    number: int, problems_dir: Path | None = None, fixtures_dir: Path | None = None
) -> ProblemSpec:
    """Read and validate ``<problems_dir>/<number>.yaml`` (default: the built-in pack)."""
    folder = problems_dir or data_path("problems")
    path = folder / f"{number}.yaml"
    if not path.is_file():
        known = ", ".join(map(str, available_problems(folder))) or "none"
        raise BadInput(
            f"unknown problem {number}: there is no {path.name}; known problems: {known}"
        )
    pack = builtin_pack() if problems_dir is None else Pack(folder, "folder")
    spec = read_spec(path, fixtures_dir, pack)
    if spec.number != number:
        raise BadInput(f"{path}: problem = {spec.number}, but the file is named {path.name}")
    return spec
