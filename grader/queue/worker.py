"""One worker process: its own Grader (one zygote), Dramatiq's threads, one log line per job.

Strategy: ``grade-worker`` (``grader.queue.workercli``) starts each of these as a fresh
interpreter (``python -m grader.queue.worker SETTINGS``), so the Grader and its zygote are made
after the process starts and are never inherited across a fork. Dramatiq consumes the queue and
acknowledges a message after the actor returns; the actor makes "exactly one result per job"
true where results are stored (``grader.queue.store``): a job that has a result is acknowledged
without grading, and a result is written only if none is there. An infrastructure fault is
retried twice with backoff, then the message is dead-lettered and a result with verdict
``error`` is published, so that nobody waits for a job that will never be graded.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import dramatiq
import redis
from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware, Retries

from grader.api import Grader
from grader.config import load_config
from grader.errors import BadInput, GraderFault
from grader.queue.broker import ACTOR, QUEUE, make_broker
from grader.queue.core import Graders, failed_result, grade_job
from grader.queue.job import job_id_of
from grader.queue.store import DEFAULT_TTL_S, ResultStore

MAX_RETRIES = 2  # tries after the first, for infrastructure faults only
POLL_MS = 100  # an idle worker looks at the queue (and says it lives) this often, at least
STOP_TIMEOUT_S = 120  # a stopping worker finishes the gradings it has begun, this long at most
LOG_FORMAT = "%(asctime)s grade-worker[%(process)d] %(message)s"


@dataclass(frozen=True)
class Settings:
    """What a worker process needs to know; ``grade-worker``'s options."""

    broker: str
    threads: int = 8
    config: str | None = None
    result_ttl_s: int = DEFAULT_TTL_S
    heartbeat_timeout_s: float = 60.0
    retry_backoff_s: float = 1.0
    scratch: str | None = None
    problems: tuple[str, ...] | list[str] = ()  # problem packs searched first (--problems)


class JobFault(dramatiq.Retry):
    """An infrastructure fault: worth another try (raised as ``Retry``: logged by us, in one line)."""


def open_grader(settings: Settings) -> Grader:
    """This process's Grader; refuses routed mode unless the configuration asks for it."""
    config = load_config(settings.config).with_problems(list(settings.problems))
    grader = Grader.create(config)
    try:
        mode = grader.isolation
    except GraderFault:
        grader.close()
        raise
    if mode == "routed" and config.isolation != "routed":
        grader.close()
        raise BadInput(
            "this machine refuses unprivileged user namespaces, so runs would share this "
            "worker's network and files (routed mode), and a queue brings untrusted code; "
            'to accept that, set [isolation] mode = "routed" in the configuration (--config)'
        )
    return grader


class _Outcomes(Middleware):
    """Logs each fault, and publishes verdict ``error`` for a job that is out of retries.

    Listed before ``Retries``, so that it sees the message after ``Retries`` decided its fate
    (Dramatiq calls the ``after_`` hooks in reverse order).
    """

    def __init__(self, graders: Graders, store: ResultStore, log: logging.Logger) -> None:
        self.graders = graders
        self.store = store
        self.log = log

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None:
            return
        raw = message.args[0] if message.args else None
        job_id = job_id_of(raw) or f"(message {message.message_id})"
        attempts = message.options.get("retries", 0)
        if not message.failed:
            self.log.info(
                "job %s: infrastructure fault on try %d of %d: %s; retrying",
                job_id, attempts, MAX_RETRIES + 1, exception,
            )  # fmt: skip
            return
        if isinstance(exception, BadInput):
            self.log.info("job %s: not a job (%s); dead-lettered", job_id, exception)
            return
        reason = f"{exception} (infrastructure fault, {attempts} tries)"
        published = failed_result(self.graders, raw, "error", reason)
        stored = published is not None and self.store.put_first(published["job_id"], published)
        self.log.info(
            "job %s: %s; dead-lettered, %s",
            job_id, reason, "result: error" if stored else "result left as it was",
        )  # fmt: skip


def _perform(graders: Graders, store: ResultStore, log: logging.Logger, raw: object) -> None:
    """The actor: grade a job once, store its result first-wins."""
    job_id = job_id_of(raw)
    try:
        if job_id is not None and store.exists(job_id):
            log.info("job %s: has a result already; acknowledged without grading again", job_id)
            return
        started = time.monotonic()
        result = grade_job(graders, raw)
        stored = store.put_first(result["job_id"], result)
    except GraderFault as exc:
        raise JobFault(str(exc)) from None
    except redis.RedisError as exc:
        raise JobFault(f"Redis: {exc}") from None
    log.info(
        "job %s %s problem %s: %s, %s, %.2f s%s",
        result["job_id"], result["report"]["submission"], result["report"]["problem"],
        result["verdict"], result["summary"],
        time.monotonic() - started, "" if stored else " (a result was there already: kept it)",
    )  # fmt: skip


def serve(settings: Settings, stop: threading.Event) -> None:
    """Grade jobs from the queue until ``stop`` is set, then finish the ones begun."""
    log = logging.getLogger("grader.queue.worker")
    graders = Graders(open_grader(settings), settings.scratch)
    try:
        backoff_ms = max(1, int(settings.retry_backoff_s * 1000))
        retries = Retries(
            max_retries=MAX_RETRIES, min_backoff=backoff_ms, max_backoff=backoff_ms * 4
        )
        broker = make_broker(settings.broker, heartbeat_timeout_s=settings.heartbeat_timeout_s)
        store = ResultStore(broker.client, settings.result_ttl_s)
        broker.add_middleware(_Outcomes(graders, store, log))
        broker.add_middleware(retries)

        def perform(raw: object = None) -> None:
            _perform(graders, store, log, raw)

        dramatiq.Actor(
            perform,
            broker=broker,
            actor_name=ACTOR,
            queue_name=QUEUE,
            priority=0,
            options={"throws": (BadInput,)},
        )
        worker = dramatiq.Worker(broker, worker_threads=settings.threads, worker_timeout=POLL_MS)
        worker.start()
        log.info("ready: %d threads, runs isolated by %s", settings.threads, graders.base.isolation)
        stop.wait()
        worker.stop(timeout=STOP_TIMEOUT_S * 1000)
        broker.close()
    finally:
        graders.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.queue.worker SETTINGS_JSON``: one worker process, until told to stop.

    It stops on SIGTERM or SIGINT, or when its standard input ends (its ``grade-worker`` is gone).
    """
    args = sys.argv[1:] if argv is None else argv
    settings = Settings(**json.loads(args[0]))
    logging.basicConfig(format=LOG_FORMAT, level=logging.INFO, stream=sys.stderr)
    logging.getLogger("dramatiq").setLevel(logging.WARNING)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def watch_parent() -> None:
        while sys.stdin.buffer.read(1):
            pass
        stop.set()

    threading.Thread(target=watch_parent, daemon=True, name="parent").start()
    try:
        serve(settings, stop)
    except BadInput as exc:
        sys.stderr.write(f"grade-worker: {exc}\n")
        return 2
    except GraderFault as exc:
        sys.stderr.write(f"grade-worker: grader fault: {exc}\n")
        return 3
    return 0


def settings_arg(settings: Settings) -> str:
    """``settings`` as the argument of ``python -m grader.queue.worker``."""
    return json.dumps(asdict(settings))


if __name__ == "__main__":
    raise SystemExit(main())
