"""Where producers and workers meet: the Redis connection, the queue's names, the broker.

Strategy: both sides build their Dramatiq broker here from one URL, so the queue name, the actor
name and the key prefix cannot drift apart. The broker's middleware is chosen, not defaulted:
Dramatiq's defaults retry twenty times and cut actors off after ten minutes; a grading is
retried only for infrastructure faults (twice), and every run has its own deadline already.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from grader.errors import BadInput

if TYPE_CHECKING:
    import redis
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import Middleware

NAMESPACE = "grader"  # the prefix of every key: queues, heartbeats and results
QUEUE = "grade"
ACTOR = "grade_submission"
# The keys of docs/queue-protocol.md beyond Dramatiq's own (grader:grade, grader:grade.msgs, ...).
WAKE_KEY = f"{NAMESPACE}:{QUEUE}.wake"  # a token per job sent: wakes one idle worker at once
WAKE_CAP = 16  # tokens kept at most: each is a hint, and workers look again anyway
RESULT_PREFIX = f"{NAMESPACE}:result:"  # + job id: the result, JSON, written once
DONE_PREFIX = f"{NAMESPACE}:done:"  # + job id: the channel the stored result is published on
PROBLEMS_KEY = f"{NAMESPACE}:problems"  # a set: the problems the workers on this queue grade
SCHEMES = ("redis", "rediss", "unix")
CONNECT_TIMEOUT_S = 5.0
IO_TIMEOUT_S = 30.0  # no command waits on the server: a silent socket this long is a dead one


def check_url(url: str) -> str:
    """``url`` if it names a Redis server; ``BadInput`` naming the forms that do."""
    if urlsplit(url).scheme not in SCHEMES:
        raise BadInput(
            f"--broker {url}: give a Redis URL, redis://HOST:PORT/DB or unix:///PATH/redis.sock"
        )
    return url


def missing_extra() -> BadInput:
    """The one-line reason when the queue's libraries are not installed."""
    return BadInput(
        "the queue needs the 'queue' extra: pip install 'socket-grader[queue]' (dramatiq, redis)"
    )


def redis_client(url: str) -> redis.Redis:
    """A thread-safe client of the Redis server at ``url``, with time-outs on every call."""
    try:
        import redis
    except ImportError:
        raise missing_extra() from None
    pool = redis.ConnectionPool.from_url(
        check_url(url),
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=IO_TIMEOUT_S,
        health_check_interval=30,
    )
    return redis.Redis(connection_pool=pool)


def make_broker(
    url: str,
    middleware: Sequence[Middleware] = (),
    heartbeat_timeout_s: float = 60.0,
) -> RedisBroker:
    """The Dramatiq broker on ``url``.

    ``heartbeat_timeout_s``: how long a worker may stay silent before the messages it holds are
    handed to another. The sweep that hands them over runs on a random share of commands;
    the share is set so that a sweep happens about once per heartbeat period.
    """
    try:
        from dramatiq.brokers.redis import MAINTENANCE_SCALE

        from grader.queue.waking import WakingBroker
    except ImportError:
        raise missing_extra() from None
    per_second = 1  # commands a worker process sends per second, at the least (idle looks)
    chance = min(MAINTENANCE_SCALE, int(MAINTENANCE_SCALE / (per_second * heartbeat_timeout_s)) + 1)
    return WakingBroker(  # type: ignore[no-untyped-call]
        client=redis_client(url),
        middleware=list(middleware),
        namespace=NAMESPACE,
        heartbeat_timeout=int(heartbeat_timeout_s * 1000),
        maintenance_chance=chance,
    )
