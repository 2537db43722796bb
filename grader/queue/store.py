"""Results in Redis, one key per job id, written once: the first result wins.

Strategy: exactly one result per job is settled here, not in the queue (which delivers at least
once): a worker writes with ``SET NX``, so a second grading of a redelivered job cannot replace
the first, and a worker that finds a result already there does not grade again. Results expire
after ``ttl_s``, so the store does not grow without bound; a platform copies what it keeps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis

DEFAULT_TTL_S = 7 * 24 * 3600
NAMESPACE = "grader"


class ResultStore:
    """Results of jobs, kept in Redis under ``<namespace>:result:<job id>``."""

    def __init__(
        self, client: redis.Redis, ttl_s: int = DEFAULT_TTL_S, namespace: str = NAMESPACE
    ) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.namespace = namespace

    def key(self, job_id: str) -> str:
        return f"{self.namespace}:result:{job_id}"

    def put_first(self, job_id: str, result: dict[str, Any]) -> bool:
        """Store ``result`` unless the job has one already; True when this one was stored."""
        text = json.dumps(result, ensure_ascii=False)
        return bool(self.client.set(self.key(job_id), text, nx=True, ex=self.ttl_s))

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
