"""Results in Redis, one key per job id, written once: the first result wins, and is announced.

Strategy: exactly one result per job is settled here, not in the queue (which delivers at least
once): a worker writes with ``SET NX``, so a second grading of a redelivered job cannot replace
the first, and a worker that finds a result already there does not grade again. The write and
its announcement are one script: a stored result is published on the job's channel
(``grader:done:<job id>``), so a client waits for it blocked on a subscription, not polling.
A waiter subscribes first and reads the store second, so a result stored in between is read,
and one stored after is heard. Results expire after ``ttl_s``, so the store does not grow
without bound; a platform copies what it keeps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from grader.errors import GraderFault
from grader.queue.broker import DONE_PREFIX, RESULT_PREFIX

if TYPE_CHECKING:
    import redis

DEFAULT_TTL_S = 7 * 24 * 3600
RECHECK_S = 5.0  # a waiter reads the store again this often, in case an announcement was lost

# KEYS[1] the result's key; ARGV: the result, its time to live, the channel to announce it on.
_PUT_FIRST = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
    redis.call('publish', ARGV[3], ARGV[1])
    return 1
end
return 0
"""


class ResultTimeout(GraderFault, TimeoutError):
    """No result came in time (no worker took the job, or none finished it): a fault of the
    queue, not of the caller. ``missing`` holds the ids still without one."""

    def __init__(self, message: str, missing: Sequence[str]) -> None:
        super().__init__(message)
        self.missing = list(missing)


class ResultStore:
    """Results of jobs, kept in Redis under ``grader:result:<job id>``."""

    def __init__(self, client: redis.Redis, ttl_s: int = DEFAULT_TTL_S) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self._put_first = client.register_script(_PUT_FIRST)

    def key(self, job_id: str) -> str:
        return f"{RESULT_PREFIX}{job_id}"

    def put_first(self, job_id: str, result: dict[str, Any]) -> bool:
        """Store ``result`` unless the job has one already, and announce it; True when stored."""
        text = json.dumps(result, ensure_ascii=False)
        channel = f"{DONE_PREFIX}{job_id}"
        return bool(self._put_first(keys=[self.key(job_id)], args=[text, self.ttl_s, channel]))

    def exists(self, job_id: str) -> bool:
        """Whether the job has a result."""
        return bool(self.client.exists(self.key(job_id)))

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job's result, or None when there is none (yet, or any more)."""
        return self.get_many([job_id])[0]

    def get_many(self, job_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """The results of ``job_ids``, in order, None where there is none."""
        if not job_ids:
            return []
        raw = self.client.mget([self.key(j) for j in job_ids])
        return [None if text is None else json.loads(text) for text in raw]

    def wait(
        self, job_ids: Sequence[str], timeout: float | None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(job id, result)`` for each of ``job_ids`` as it is stored, blocking in between.

        Raises ``ResultTimeout`` when ``timeout`` seconds (None: no limit) pass first.
        """
        pending = list(dict.fromkeys(job_ids))
        deadline = None if timeout is None else time.monotonic() + timeout
        listener = self.client.pubsub(ignore_subscribe_messages=True)
        try:
            if pending:
                listener.subscribe(*(f"{DONE_PREFIX}{j}" for j in pending))  # before reading
            while pending:
                # What was stored before the subscription (or whose announcement was lost).
                stored = self.get_many(pending)
                for job_id, result in zip(pending, stored, strict=True):
                    if result is not None:
                        yield job_id, result
                pending = [j for j, r in zip(pending, stored, strict=True) if r is None]
                recheck = time.monotonic() + RECHECK_S
                while pending:
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        raise ResultTimeout(_late(pending, timeout), pending)
                    if now >= recheck:
                        break
                    until = recheck if deadline is None else min(recheck, deadline)
                    message = listener.get_message(timeout=until - now)  # blocks on the socket
                    if message is None or message.get("type") != "message":
                        continue  # a subscription's confirmation, or the wait ended
                    job_id = _text(message["channel"]).removeprefix(DONE_PREFIX)
                    if job_id in pending:
                        pending.remove(job_id)
                        yield job_id, json.loads(message["data"])
        finally:
            listener.close()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _late(pending: Sequence[str], timeout: float | None) -> str:
    return (
        f"no result for {len(pending)} job(s) within {timeout:g} s (first: {pending[0]}); "
        "are grade-worker processes running on this broker?"
    )
