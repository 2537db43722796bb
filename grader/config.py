"""``grader.toml``: the defaults of every grading, validated on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from grader.errors import BadInput
from grader.paths import data_path

ISOLATION_MODES = ("auto", "namespace", "routed")
# Unprivileged ids a root grader maps its runs to, one per run at a time (see grader.toml).
DEFAULT_RUN_IDS = (810000, 810999)
DEFAULT_POOL = 3  # a problem's runs go side by side: at most three of them (problems 3 and 4)
MAX_POOL = 32


@dataclass(frozen=True)
class Limits:
    time_limit_s: float = 5.0
    memory_mb: int = 512
    output_kb: int = 64
    file_size_mb: int = 8
    open_files: int = 256
    processes: int = 64
    max_connections: int = 32
    max_received_kb: int = 64
    scratch_mb: int = 16
    shm_mb: int = 4
    run_memory_mb: int = 1024


@dataclass(frozen=True)
class Config:
    limits: Limits = Limits()
    isolation: str = "auto"
    jobs: int = 0
    run_ids: tuple[int, int] = DEFAULT_RUN_IDS
    pool: int = DEFAULT_POOL  # runs the zygote keeps prepared ahead (namespace mode); 0: none
    # Problem packs searched before the installed and built-in ones (``[problems] paths``,
    # ``--problems``), relative paths already resolved against the configuration's folder.
    problem_paths: tuple[str, ...] = ()

    def with_problems(self, paths: list[str] | None) -> Config:
        """This configuration with ``paths`` searched first (``None`` or empty keeps it)."""
        if not paths:
            return self
        return replace(self, problem_paths=(*paths, *self.problem_paths))

    def with_time_limit(self, seconds: float | None) -> Config:
        """This configuration with another time limit (``None`` keeps it)."""
        if seconds is None:
            return self
        if not 0 < seconds <= 600:
            raise BadInput(f"--timeout {seconds:g}: give a number of seconds from 0 to 600")
        return replace(self, limits=replace(self.limits, time_limit_s=float(seconds)))


def _number(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = table[key]
    ok = isinstance(value, (int, float)) if kind is float else isinstance(value, int)
    if not ok or isinstance(value, bool) or value <= 0:
        raise BadInput(f"{where}: [limits] {key} = {value!r}: it must be a positive number")
    return kind(value)


def parse_config(text: str, where: str) -> Config:
    """Validate the TOML ``text`` (read from ``where``, named in errors) into a Config."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{where}: not valid TOML ({exc}); fix the syntax") from None
    known = {"limits", "isolation", "batch", "problems"}
    if unknown := sorted(set(raw) - known):
        raise BadInput(
            f"{where}: unknown section [{unknown[0]}]; known: {', '.join(sorted(known))}"
        )
    limits_raw = raw.get("limits", {})
    if not isinstance(limits_raw, dict):
        raise BadInput(f"{where}: limits must be a [limits] table")
    names = {f.name: f.type for f in fields(Limits)}
    if unknown := sorted(set(limits_raw) - set(names)):
        raise BadInput(f"{where}: unknown key [limits] {unknown[0]}; known: {', '.join(names)}")
    kinds = {f.name: (float if f.name.endswith("_s") else int) for f in fields(Limits)}
    limits = Limits(**{k: _number(limits_raw, k, kinds[k], where) for k in limits_raw})
    sections = (
        ("isolation", {"mode", "run_ids", "pool"}),
        ("batch", {"jobs"}),
        ("problems", {"paths"}),
    )
    for section, keys in sections:
        table = raw.get(section, {})
        if not isinstance(table, dict):
            raise BadInput(f"{where}: {section} must be a [{section}] table")
        if unknown := sorted(set(table) - keys):
            raise BadInput(
                f"{where}: unknown key [{section}] {unknown[0]}; known: {', '.join(keys)}"
            )
    mode = raw.get("isolation", {}).get("mode", "auto")
    if mode not in ISOLATION_MODES:
        raise BadInput(
            f"{where}: [isolation] mode = {mode!r}; use one of {', '.join(ISOLATION_MODES)}"
        )
    jobs = raw.get("batch", {}).get("jobs", 0)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
        raise BadInput(
            f"{where}: [batch] jobs = {jobs!r}; use 0 (one per core) or a positive number"
        )
    run_ids = _run_ids(raw.get("isolation", {}).get("run_ids", list(DEFAULT_RUN_IDS)), where)
    pool = raw.get("isolation", {}).get("pool", DEFAULT_POOL)
    if not isinstance(pool, int) or isinstance(pool, bool) or not 0 <= pool <= MAX_POOL:
        raise BadInput(
            f"{where}: [isolation] pool = {pool!r}; give a whole number from 0 (no runs "
            f"prepared ahead) to {MAX_POOL}"
        )
    paths = raw.get("problems", {}).get("paths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise BadInput(
            f'{where}: [problems] paths = {paths!r}; give a list of folders, e.g. ["my-pack"]'
        )
    base = Path(where).parent
    problem_paths = tuple(str(base / p) for p in paths)
    return Config(
        limits=limits,
        isolation=mode,
        jobs=jobs,
        run_ids=run_ids,
        pool=pool,
        problem_paths=problem_paths,
    )


def _run_ids(value: Any, where: str) -> tuple[int, int]:
    """``[first, last]``: ids outside every real account (never 0), the first not above the last."""
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 1000 <= value[0] <= value[1] < 2**32 - 1
    )
    if not ok:
        raise BadInput(
            f"{where}: [isolation] run_ids = {value!r}; give [first, last], two ids from 1000 "
            "up (unused by any account), the first not above the last"
        )
    return value[0], value[1]


def load_config(path: str | Path | None = None) -> Config:
    """Load ``path``, or the shipped ``grader.toml`` when no path is given."""
    target = Path(path) if path is not None else data_path("grader.toml")
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{target}: configuration file not found; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{target}: cannot read the configuration ({exc})") from None
    return parse_config(text, str(target))
