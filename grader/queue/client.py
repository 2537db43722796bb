"""The producer's side: submit submissions to the queue, get the same Reports a local grading gives.

Strategy: ``submit`` validates the whole job here (every field, no unknown ones, a problem the
workers on this queue grade) and puts it on the Dramatiq queue (the bytes inside, see
``grader.queue.job``), returning its id at once; results are awaited blocked on their
announcement (``grader.queue.store``), never polled. A Report is rebuilt from its JSON data
field by field (``grader.queue.codec``), so it is equal to what the worker's Grader returned,
and renamed to the submission that asked for it: identical bytes share a derived job id, and a
shared result must not show another learner's file name. Every failure is ``BadInput`` (the
caller's to fix, with the reason) or ``GraderFault`` (the queue's, its cause chained): no
exception of Redis or Dramatiq reaches the caller.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.errors import BadInput, GraderFault
from grader.queue.broker import ACTOR, NAMESPACE, PROBLEMS_KEY, QUEUE, check_url, make_broker
from grader.queue.codec import report_from_data
from grader.queue.job import make_job, parse_job
from grader.queue.store import ResultStore
from grader.report import Report
from grader.show import display_path, printable
from grader.submission import read_submission

DEFAULT_WAIT_S = 600.0


class Client:
    """Submits jobs to the queue at ``broker_url`` and waits for their results.

    Thread-safe; ``close()`` it (or use it as a context manager) when done. Raises
    ``BadInput`` for a malformed URL or job, ``GraderFault`` when the queue cannot be reached
    or no result comes in time (``ResultTimeout``, also a ``TimeoutError``).
    """

    def __init__(self, broker_url: str) -> None:
        self.url = check_url(broker_url)
        with self._faults():
            self._broker = make_broker(broker_url)
            self._broker.declare_queue(QUEUE)
            self._store = ResultStore(self._broker.client)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections to Redis."""
        self._broker.close()
        self._broker.client.close()

    @contextmanager
    def _faults(self) -> Iterator[None]:
        """Redis's and Dramatiq's errors as one-line ``GraderFault``, the cause chained."""
        import redis
        from dramatiq.errors import BrokerError

        try:
            yield
        except (redis.RedisError, BrokerError) as exc:
            raise GraderFault(f"the queue at {self.url} cannot be reached ({exc})") from exc

    def submit(
        self,
        path_or_bytes: str | Path | bytes,
        problem: int,
        job_id: str | None = None,
        *,
        filename: str | None = None,
        seed: int | None = None,
        time_limit_s: float | None = None,
        points: float | None = None,
    ) -> str:
        """Queue one submission (a file's path, or its bytes) for ``problem``; returns the job id.

        ``job_id`` is the platform's id for the submission; without one, the id is derived from
        the problem, the bytes and the settings given, so the same submission is one job.
        ``BadInput`` for a missing or unreadable file, bytes over the queue's cap, or a problem
        the workers on this queue do not grade.
        """
        if isinstance(path_or_bytes, bytes):
            source, name = path_or_bytes, filename or "submission.py"
        else:
            path = Path(path_or_bytes)
            source, name = read_submission(path), filename or display_path(path_or_bytes)
        job = make_job(
            source, problem, name, job_id, seed=seed, time_limit_s=time_limit_s, points=points
        )
        return self.submit_job(job)

    def submit_job(self, job: dict[str, Any]) -> str:
        """Queue a job in the queue's JSON format (``grader.queue.job``); returns its id.

        The job is validated completely first: ``BadInput`` names the field that is wrong, an
        unknown field, or a problem the workers on this queue do not grade.
        """
        from dramatiq import Message

        parsed = parse_job(job)
        with self._faults():
            self._check_problem(parsed.problem)
            self._broker.enqueue(Message(QUEUE, ACTOR, (job,), {}, {}))
        return parsed.job_id

    def problems(self) -> list[int]:
        """The problems the workers on this queue grade (empty until a worker has started)."""
        with self._faults():
            known = self._broker.client.smembers(PROBLEMS_KEY)
        return sorted(int(p) for p in known)

    def _check_problem(self, problem: int) -> None:
        known = self.problems()
        if known and problem not in known:
            raise BadInput(
                f"unknown problem {problem}: the workers on this queue grade problems "
                f"{', '.join(map(str, known))}"
            )

    def result_data(self, job_id: str) -> dict[str, Any] | None:
        """The stored result of ``job_id`` as JSON data, or None when there is none (yet)."""
        with self._faults():
            return self._store.get(job_id)

    def result(
        self, job_id: str, timeout: float | None = DEFAULT_WAIT_S, *, filename: str | None = None
    ) -> Report:
        """The Report of ``job_id``, waiting up to ``timeout`` seconds (None: for ever).

        ``filename``: the name the asking submission was sent under; the Report names it
        everywhere, whichever identical submission was graded (see ``as_submitted``).
        Raises ``ResultTimeout`` (a ``GraderFault``) when no result came in time.
        """
        for _job_id, report in self.results([job_id], timeout):
            return report if filename is None else as_submitted(report, filename)
        raise AssertionError("results() yields every id or raises")  # pragma: no cover

    def results(
        self, job_ids: Iterable[str], timeout: float | None = DEFAULT_WAIT_S
    ) -> Iterator[tuple[str, Report]]:
        """``(job id, Report)`` for each of ``job_ids`` as its result comes in.

        Raises ``ResultTimeout`` naming how many are missing when ``timeout`` seconds pass first.
        """
        with self._faults():
            for job_id, data in self._store.wait(list(job_ids), timeout):
                yield job_id, report_from_data(data["report"])

    def grade(
        self,
        path_or_bytes: str | Path | bytes,
        problem: int,
        *,
        filename: str | None = None,
        timeout: float | None = DEFAULT_WAIT_S,
        **settings: Any,
    ) -> Report:
        """Submit one submission and wait for its Report, named as it was sent.

        ``settings``: ``job_id``, ``seed``, ``time_limit_s``, ``points`` as for ``submit``.
        """
        if filename is None:
            is_bytes = isinstance(path_or_bytes, bytes)
            filename = "submission.py" if is_bytes else display_path(path_or_bytes)
        job_id = self.submit(path_or_bytes, problem, filename=filename, **settings)
        return self.result(job_id, timeout, filename=filename)

    def grade_many(
        self,
        paths: Iterable[str | Path],
        problem: int,
        timeout: float | None = DEFAULT_WAIT_S,
        time_limit_s: float | None = None,
        points: float | None = None,
        unsendable: Callable[[str, str], Report] | None = None,
    ) -> Iterator[Report]:
        """Submit every file, then yield each Report as it completes (completion order).

        Like ``Grader.grade_many``: a file that cannot be sent (missing, a folder, too large)
        yields a Report with verdict ``invalid`` and the reason (``unsendable(name, reason)``
        makes it, when given), and the batch goes on.
        """
        names: dict[str, list[str]] = {}
        for path in paths:
            name = display_path(path)
            try:
                job_id = self.submit(
                    path, problem, filename=name, time_limit_s=time_limit_s, points=points
                )
            except BadInput as exc:
                if unsendable is not None:
                    yield unsendable(name, str(exc))
                else:
                    yield Report(name, problem, "", (), "invalid", error=printable(str(exc)))
                continue
            names.setdefault(job_id, []).append(name)
        for job_id, report in self.results(list(names), timeout):
            for name in names[job_id]:  # the same bytes twice are one job: a Report for each
                yield as_submitted(report, name)

    def dead_letters(self) -> list[dict[str, Any]]:
        """The jobs in the dead-letter queue (kept there 7 days), oldest first."""
        key = f"{NAMESPACE}:{QUEUE}.XQ"
        with self._faults():
            ids: list[bytes] = self._broker.client.zrange(key, 0, -1)  # type: ignore[assignment]
            if not ids:
                return []
            messages = self._broker.client.hmget(f"{key}.msgs", ids)
        jobs = []
        for raw in messages:
            if raw is not None:
                args = json.loads(raw).get("args") or [None]
                jobs.append(args[0])
        return jobs


def as_submitted(report: Report, name: str) -> Report:
    """``report`` as the submission called ``name`` would have had it.

    Identical bytes share a derived job id, so one grading may answer several submissions;
    the worker's Report names the one it graded, in ``submission`` and wherever the file is
    named (tracebacks: by its full name in the bytes captured, by its own name in their
    display). Both are replaced, in text and in bytes, as whole names only (``a.py`` is not
    touched inside ``data.py``); nothing else in a grading of the same bytes depends on the name.
    """
    old = report.submission
    if old == name:
        return report
    swaps = [(old, name)]
    old_base, new_base = os.path.basename(old), os.path.basename(name)
    if old_base != old and old_base != new_base:
        swaps.append((old_base, new_base))
    renamed = report
    for before, after in swaps:
        renamed = _renamed(renamed, before, after)
    return dataclasses.replace(renamed, submission=name)


def _renamed(value: Any, old: str, new: str) -> Any:
    """``value`` (a record, a tuple of them, text or bytes) with the name ``old`` as ``new``."""
    if isinstance(value, str):
        return _whole_name(old).sub(lambda _: new, value)
    if isinstance(value, bytes):
        pattern = _whole_name(old).pattern.encode("utf-8")
        return re.sub(pattern, lambda _: new.encode("utf-8"), value)
    if isinstance(value, tuple):
        return tuple(_renamed(v, old, new) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _renamed(getattr(value, f.name), old, new)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    return value


def _whole_name(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w./\\-]){re.escape(name)}(?![\w.-])")
