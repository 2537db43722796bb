"""The producer's side: submit submissions to the queue, get the same Reports a local grading gives.

Strategy: ``submit`` puts one JSON job on the Dramatiq queue (the bytes inside, see
``grader.queue.job``) and returns its id at once; results are read from the result store by id,
polled with a growing pause (a few milliseconds at first, so a quick grading is seen quickly,
at most a tenth of a second), many ids in one ``MGET``. A Report is rebuilt from its JSON data
field by field (``grader.queue.codec``), so it is equal to what the worker's Grader returned.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.errors import BadInput
from grader.queue.broker import ACTOR, NAMESPACE, QUEUE, make_broker
from grader.queue.codec import report_from_data
from grader.queue.job import job_id_of, make_job
from grader.queue.store import ResultStore
from grader.report import Report
from grader.show import display_path, printable
from grader.submission import read_submission

POLL_S = (0.005, 0.1)  # first and longest pause between looks at the result store
DEFAULT_WAIT_S = 600.0


class Client:
    """Submits jobs to the queue at ``broker_url`` and waits for their results.

    Thread-safe; ``close()`` it (or use it as a context manager) when done.
    """

    def __init__(self, broker_url: str) -> None:
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
        ``BadInput`` for a missing or unreadable file or bytes over the queue's cap.
        """
        if isinstance(path_or_bytes, bytes):
            source, name = path_or_bytes, filename or "submission.py"
        else:
            path = Path(path_or_bytes)
            source, name = read_submission(path), filename or display_path(path_or_bytes)
        job = make_job(
            source, problem, name, job_id, seed=seed, time_limit_s=time_limit_s, points=points
        )
        self.submit_job(job)
        return str(job["job_id"])

    def submit_job(self, job: dict[str, Any]) -> str | None:
        """Queue a job in the queue's JSON format (``grader.queue.job``) as it is; returns its id.

        The worker validates it: a job it cannot grade gets a result with verdict ``invalid``,
        or, without a usable ``job_id``, goes to the dead-letter queue.
        """
        from dramatiq import Message

        self._broker.enqueue(Message(QUEUE, ACTOR, (job,), {}, {}))
        return job_id_of(job)

    def result_data(self, job_id: str) -> dict[str, Any] | None:
        """The stored result of ``job_id`` as JSON data, or None when there is none (yet)."""
        return self._store.get(job_id)

    def result(self, job_id: str, timeout: float | None = DEFAULT_WAIT_S) -> Report:
        """The Report of ``job_id``, waiting up to ``timeout`` seconds (None: for ever).

        Raises ``TimeoutError`` when no result came in time.
        """
        for _job_id, report in self.results([job_id], timeout):
            return report
        raise AssertionError("results() yields every id or raises")  # pragma: no cover

    def results(
        self, job_ids: Iterable[str], timeout: float | None = DEFAULT_WAIT_S
    ) -> Iterator[tuple[str, Report]]:
        """``(job id, Report)`` for each of ``job_ids`` as its result comes in.

        Raises ``TimeoutError`` naming how many are missing when ``timeout`` seconds pass first.
        """
        pending = list(dict.fromkeys(job_ids))
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = POLL_S[0]
        while pending:
            found = self._store.get_many(pending)
            waiting = []
            for job_id, data in zip(pending, found, strict=True):
                if data is None:
                    waiting.append(job_id)
                else:
                    yield job_id, report_from_data(data["report"])
            if len(waiting) < len(pending):
                pause = POLL_S[0]
            pending = waiting
            if not pending:
                return
            if deadline is not None and time.monotonic() + pause > deadline:
                raise TimeoutError(
                    f"no result for {len(pending)} job(s) within {timeout:g} s (first: "
                    f"{pending[0]}); are grade-worker processes running on this broker?"
                )
            time.sleep(pause)  # a poll interval, not synchronisation: the store is re-read
            pause = min(pause * 1.5, POLL_S[1])

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
                yield replace(report, submission=name)

    def dead_letters(self) -> list[dict[str, Any]]:
        """The jobs in the dead-letter queue (kept there 7 days), oldest first."""
        key = f"{NAMESPACE}:{QUEUE}.XQ"
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
