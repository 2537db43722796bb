"""``grade --broker URL``: the command line's gradings done by queue workers instead of here.

Strategy: the command line grades through three methods of a ``Grader`` (``spec``, ``grade``,
``grade_many``); ``RemoteGrader`` has the same three, backed by the queue's ``Client``, so the
command renders, streams, shows progress and exits exactly as it does for a local grading.
Problems are checked here first, so an unknown one is bad input before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.api import points_of, time_limit, ungraded_report
from grader.config import Config
from grader.errors import GraderFault
from grader.problem.pack import find_packs
from grader.problem.spec import ProblemSpec, find_spec
from grader.queue.client import Client
from grader.report import Report, Verdict
from grader.show import display_path


class RemoteGrader:
    """A stand-in for ``Grader`` in the command line that grades on the queue at ``url``."""

    def __init__(
        self,
        url: str,
        config: Config,
        time_limit_s: float | None = None,
        points: float | None = None,
    ) -> None:
        self.url = url
        self.config = config  # for the reports of files never sent; the workers grade with theirs
        self.time_limit_s = time_limit_s
        self.points = points
        self._client = Client(url)
        self._specs: dict[int | str, ProblemSpec] = {}

    def __enter__(self) -> RemoteGrader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def spec(self, problem: int | str) -> ProblemSpec:
        """The problem's spec (``BadInput`` for an unknown problem), read here from the same
        packs as a local grading; a job names it by number, which the workers' packs hold."""
        if problem not in self._specs:
            self._specs[problem] = find_spec(problem, find_packs(self.config.problem_paths))
        return self._specs[problem]

    def grade(self, path: str | Path, problem: int | str, seed: int | None = None) -> Report:
        """Submit one file and wait for its Report."""
        with self._faults():
            job_id = self._client.submit(
                path,
                self.spec(problem).number,
                filename=display_path(path),
                seed=seed,
                time_limit_s=self.time_limit_s,
                points=self.points,
            )
            return self._client.result(job_id)

    def ungraded(
        self,
        path: str | Path,
        problem: int | str,
        verdict: Verdict,
        reason: str,
        seconds: float = 0.0,
    ) -> Report:
        """A Report for a file that was not graded, as ``Grader.ungraded`` makes it."""
        spec = self.spec(problem)
        limit = time_limit(spec, self.config, self.time_limit_s)
        points = points_of(spec, self.points)
        # No worker saw it: how it would have been isolated is not known here.
        return ungraded_report(path, spec, verdict, reason, "", limit, points, seconds)

    def grade_many(
        self, paths: Iterable[str | Path], problem: int | str, jobs: int | None = None
    ) -> Iterator[Report]:
        """Submit every file, yield each Report as it completes (``jobs``: the workers decide)."""
        with self._faults():
            yield from self._client.grade_many(
                paths,
                self.spec(problem).number,
                time_limit_s=self.time_limit_s,
                points=self.points,
                unsendable=lambda name, reason: self.ungraded(name, problem, "invalid", reason),
            )

    @contextmanager
    def _faults(self) -> Iterator[None]:
        """An unreachable broker or a missing result: a one-line ``GraderFault`` (exit 3)."""
        import redis

        try:
            yield
        except TimeoutError as exc:
            raise GraderFault(str(exc)) from None
        except redis.RedisError as exc:
            raise GraderFault(f"the queue at {self.url} cannot be reached ({exc})") from None
