"""Grading on many machines: a Redis queue, ``grade-worker`` processes, a producer ``Client``.

    >>> from grader.queue import Client
    >>> with Client("redis://queue.example:6379/0") as client:
    ...     job_id = client.submit("submission.py", problem=3)
    ...     report = client.result(job_id, timeout=60)

Needs the ``queue`` extra (``pip install 'socket-grader[queue]'``). The grading of one job is a
plain function, ``grade_job`` (``grader.queue.core``), that any queue engine can wrap; Dramatiq
wraps it here (``grader.queue.worker``). Names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Client", "Graders", "grade_job", "make_job"]

_WHERE = {
    "Client": "grader.queue.client",
    "Graders": "grader.queue.core",
    "grade_job": "grader.queue.core",
    "make_job": "grader.queue.job",
}

if TYPE_CHECKING:
    from grader.queue.client import Client
    from grader.queue.core import Graders, grade_job
    from grader.queue.job import make_job


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'grader.queue' has no attribute {name!r}")
