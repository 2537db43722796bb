"""Dramatiq's Redis broker with idle workers woken by a new job instead of polling for one.

Strategy: Dramatiq's Redis consumer looks at the queue and, finding it empty, sleeps a growing
pause (up to the worker timeout) before it looks again, so a job sent to an idle worker waits
for the end of that pause. Here every enqueue onto the grading queue also pushes a token onto a
wake-up list (``grader:grade.wake``, capped at ``WAKE_CAP``) right after the job, and a
consumer that found the queue empty blocks in ``BLPOP`` on that list instead of
sleeping: Redis hands the token to one waiting consumer at once, which fetches the job. A token
is a hint, not a job: one taken by a consumer that finds nothing costs one empty fetch, and a
consumer that never gets one still looks again every ``IDLE_WAIT_S`` (which also keeps its
heartbeat fresh), so a job enqueued without a token (a platform that skips it) waits at most
that long. Messages, keys, acknowledgements and redelivery stay Dramatiq's own (see
docs/queue-protocol.md).
"""

from __future__ import annotations

import time
from typing import Any

import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import compute_backoff
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

from grader.queue.broker import QUEUE, WAKE_CAP, WAKE_KEY

IDLE_WAIT_S = 1  # an idle consumer blocks this long on the wake-up list, then looks again


class WakingBroker(RedisBroker):
    """A ``RedisBroker`` whose enqueues wake an idle consumer (see the Strategy above)."""

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return WakingConsumer

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        """Dramatiq's enqueue, then a wake-up token for a job of the grading queue (after it,
        so that a consumer woken by the token finds the job)."""
        sent = super().enqueue(message, delay=delay)
        if sent.queue_name == QUEUE:  # not the delay queue of retries: its consumer polls
            with self.client.pipeline(transaction=True) as pipe:
                pipe.lpush(WAKE_KEY, "1")
                pipe.ltrim(WAKE_KEY, 0, WAKE_CAP - 1)
                pipe.execute()
        return sent


class WakingConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer, blocking on the wake-up list when the queue is empty."""

    def __next__(self) -> MessageProxy | None:
        try:
            while True:
                if self.message_cache:
                    data = self.message_cache.pop(0)
                    if data is None:
                        continue
                    self.misses = 0
                    message = Message.decode(data)
                    self.queued_message_ids.add(message.message_id)
                    return MessageProxy(message)
                if self.outstanding_message_count < self.prefetch:
                    wanted = self.prefetch - self.outstanding_message_count
                    self.message_cache = self.broker.do_fetch(self.queue_name, wanted)
                    if self.message_cache:
                        continue
                    if self.queue_name == QUEUE:  # empty: wait for a new job, not a pause
                        self.broker.client.blpop([WAKE_KEY], timeout=IDLE_WAIT_S)
                        return None
                # Every thread busy (or the delay queue): Dramatiq's growing pause, at most
                # the worker timeout, before taking more.
                self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                time.sleep(backoff_ms / 1000)
                return None
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None  # type: ignore[no-untyped-call]
