"""The library entry points: ``grade`` one submission, ``grade_many`` side by side.

Strategy: a ``Grader`` holds what is made once (configuration, specs, and the warm worker that
forks every run) and is otherwise immutable; each run builds its own server, process and scratch
folder, so gradings share nothing and run in parallel threads (each spends its time waiting on
its own selector while the learners' processes use the cores).
"""

from __future__ import annotations

import os
import secrets
import time
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from grader.config import Config, load_config
from grader.errors import BadInput, GraderFault
from grader.judge.checks import Context
from grader.judge.run import judge_run
from grader.judge.source import source_problem
from grader.observe.process import Zygote
from grader.observe.records import Observation
from grader.observe.session import observe
from grader.problem.spec import ProblemSpec, load_spec
from grader.report import Report, Verdict
from grader.show import display_path, printable
from grader.submission import read_submission


@dataclass(frozen=True)
class Grader:
    """Grades submissions for any shipped problem with one configuration.

    It owns a warm worker interpreter (the zygote) that forks every run; ``close()`` it, or use
    it as a context manager, when done (it is also stopped when the Grader is collected).
    """

    config: Config
    zygote: Zygote = field(repr=False)
    time_limit_s: float | None = None  # overrides config and spec (the CLI's --timeout)
    _specs: dict[int, ProblemSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        weakref.finalize(self, self.zygote.close)

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker interpreter."""
        self.zygote.close()

    @property
    def isolation(self) -> str:
        """``namespace`` or ``routed``: how runs are isolated on this machine (see README)."""
        mode = self.zygote.mode()
        if self.config.isolation == "namespace" and mode != "namespace":
            raise GraderFault(
                "isolation mode 'namespace' is configured, but this machine refuses unprivileged "
                'user namespaces; set [isolation] mode = "auto" to grade in routed mode'
            )
        return mode

    @classmethod
    def create(
        cls,
        config: Config | str | Path | None = None,
        time_limit_s: float | None = None,
    ) -> Grader:
        """A grader with ``config`` (a Config, a grader.toml path, or None for the shipped one)."""
        cfg = config if isinstance(config, Config) else load_config(config)
        if time_limit_s is not None:
            cfg.with_time_limit(time_limit_s)  # validates the value
        mode = "routed" if cfg.isolation == "routed" else "auto"
        return cls(cfg, Zygote(mode), time_limit_s)

    def spec(self, problem: int) -> ProblemSpec:
        """The validated spec of ``problem`` (read once per grader)."""
        if problem not in self._specs:
            self._specs[problem] = load_spec(problem)
        return self._specs[problem]

    def grade(self, path: str | Path, problem: int, seed: int | None = None) -> Report:
        """Grade one file. Raises ``BadInput`` for a missing file or an unknown problem."""
        spec = self.spec(problem)
        script = Path(path)
        data = read_submission(script)
        started = time.monotonic()
        name = display_path(path)
        bad_source = source_problem(script, data)
        if bad_source is not None:
            return Report(
                name,
                problem,
                spec.title,
                (bad_source,),
                "fail",
                self.isolation,
                time.monotonic() - started,
                runs=tuple(r.name for r in spec.runs),
            )
        limit = self.time_limit_s or spec.time_limit_s or self.config.limits.time_limit_s
        ctx = Context(limit, self.config.limits.output_kb, self.config.limits.memory_mb, data)
        base = secrets.randbits(32) if seed is None else seed
        try:
            observations = self._observe_all(script.resolve(), spec, limit, base)
        except (GraderFault, OSError) as exc:
            return Report(
                name,
                problem,
                spec.title,
                (),
                "error",
                self.isolation,
                time.monotonic() - started,
                error=f"{type(exc).__name__}: {exc}",
            )
        checks = [
            check
            for run, obs in zip(spec.runs, observations, strict=True)
            for check in judge_run(run, obs, ctx)
        ]
        verdict: Verdict = "pass" if all(c.passed for c in checks) else "fail"
        return Report(
            name,
            problem,
            spec.title,
            tuple(checks),
            verdict,
            self.isolation,
            time.monotonic() - started,
            runs=tuple(r.name for r in spec.runs),
        )

    def _observe_all(
        self, script: Path, spec: ProblemSpec, limit: float, seed: int
    ) -> list[Observation]:
        """Every run of ``spec``, side by side: they share nothing, and the learner waits less."""
        ns = self.isolation == "namespace"

        def one(index: int) -> Observation:
            run = spec.runs[index]
            return observe(
                script, run, spec, self.config.limits, limit, self.zygote, ns, seed + index
            )

        if len(spec.runs) == 1:
            return [one(0)]
        with ThreadPoolExecutor(len(spec.runs), thread_name_prefix="run") as pool:
            return list(pool.map(one, range(len(spec.runs))))

    def grade_many(
        self, paths: Iterable[str | Path], problem: int, jobs: int | None = None
    ) -> Iterator[Report]:
        """Grade files side by side, yielding each Report as it completes.

        A file that cannot be graded (missing, a folder) yields a Report with verdict
        ``invalid`` and the reason, so one broken file never stops the batch.
        """
        self.spec(problem)  # an unknown problem is the caller's error: raise before starting
        workers = jobs or self.config.jobs or os.cpu_count() or 1
        todo = iter(list(paths))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as pool:
            running: dict[Future[Report], str] = {}

            def submit_next() -> bool:
                for path in todo:
                    running[pool.submit(self._grade_or_error, path, problem)] = str(path)
                    return True
                return False

            for _ in range(workers):
                if not submit_next():
                    break
            while running:
                done, _pending = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    running.pop(future)
                    submit_next()
                    yield future.result()

    def _grade_or_error(self, path: str | Path, problem: int) -> Report:
        title = self.spec(problem).title
        mode = self.isolation
        name = display_path(path)
        try:
            return self.grade(path, problem)
        except BadInput as exc:
            return Report(name, problem, title, (), "invalid", mode, error=printable(str(exc)))
        except GraderFault as exc:
            return Report(name, problem, title, (), "error", mode, error=printable(str(exc)))
        except Exception as exc:  # a fault of ours must not stop the other gradings of a batch
            error = printable(f"{type(exc).__name__}: {exc}")
            return Report(name, problem, title, (), "error", mode, error=error)


def grade(
    path: str | Path,
    problem: int,
    *,
    config: Config | str | Path | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
) -> Report:
    """Grade the learner's script at ``path`` for ``problem`` (1-5) and return its Report.

    Raises ``BadInput`` for a missing file, an unknown problem or a malformed configuration,
    ``GraderFault`` when this machine cannot run a grading as configured.
    """
    with Grader.create(config, time_limit_s) as grader:
        return grader.grade(path, problem, seed)


def grade_many(
    paths: Iterable[str | Path],
    problem: int,
    *,
    jobs: int | None = None,
    config: Config | str | Path | None = None,
    time_limit_s: float | None = None,
) -> Iterator[Report]:
    """Grade many files for ``problem``, ``jobs`` at a time (default: one per core).

    Yields each Report as soon as it is ready (completion order, not input order).
    """
    with Grader.create(config, time_limit_s) as grader:
        yield from grader.grade_many(paths, problem, jobs)
