"""``grade-worker --broker URL``: grade queued submissions with N worker processes on this machine.

Strategy: this process checks the options and the machine once (one clear line and exit 2 when
something is wrong), then starts each worker process as a fresh interpreter
(``grader.queue.worker``) and watches them: one that dies is started again, so a fleet heals
without a person; SIGTERM or SIGINT ends the workers' standard input, and each finishes the
gradings it has begun before it exits. The workers log one line per job to stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from grader.errors import BadInput, GraderFault

RESTART_DELAY_S = (1.0, 30.0)  # a worker that keeps dying is started again ever more slowly
EXIT_BAD_SETUP = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(
            f"grade-worker: {message}\nusage: grade-worker --broker URL (see --help)\n"
        )
        raise SystemExit(EXIT_BAD_SETUP)


def _parser() -> argparse.ArgumentParser:
    cores = os.cpu_count() or 1
    p = _Parser(
        prog="grade-worker",
        description="Grade submissions from a Redis queue (see README, 'Grading on many machines').",
    )
    p.add_argument(
        "--broker", required=True, metavar="URL", help="redis://HOST:PORT/DB or unix:///PATH"
    )
    p.add_argument(
        "--processes",
        type=int,
        default=cores,
        metavar="N",
        help=f"worker processes (default: one per core, {cores})",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=8,
        metavar="T",
        help="gradings side by side in each process (default 8: runs mostly wait)",
    )
    p.add_argument("--config", metavar="FILE", help="a grader.toml (default: the shipped one)")
    p.add_argument(
        "--problems",
        action="append",
        default=[],
        metavar="DIR",
        help="a problem pack to search first (repeatable; as grade --problems)",
    )
    p.add_argument(
        "--result-ttl",
        type=int,
        default=7 * 24 * 3600,
        metavar="S",
        help="seconds a result is kept (default: 7 days)",
    )
    p.add_argument(
        "--requeue-after",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds of silence before a dead worker's jobs go to another (default 60)",
    )
    p.add_argument(
        "--retry-backoff",
        type=float,
        default=1.0,
        metavar="S",
        help="wait before retrying after an infrastructure fault; doubles (default 1)",
    )
    p.add_argument(
        "--scratch",
        metavar="DIR",
        help="folder for submissions being graded (default: the system's temporary folder)",
    )
    return p


def _settings(args: argparse.Namespace) -> object:
    from grader.queue.broker import check_url
    from grader.queue.worker import Settings

    for name in ("processes", "threads", "result_ttl"):
        if getattr(args, name) < 1:
            raise BadInput(f"--{name.replace('_', '-')} {getattr(args, name)}: give 1 or more")
    for name in ("requeue_after", "retry_backoff"):
        if not getattr(args, name) > 0:
            raise BadInput(
                f"--{name.replace('_', '-')} {getattr(args, name)}: give seconds above 0"
            )
    if args.scratch is not None and not Path(args.scratch).is_dir():
        raise BadInput(f"--scratch {args.scratch}: not a folder; give a writable folder")
    return Settings(
        broker=check_url(args.broker),
        threads=args.threads,
        config=None if args.config is None else str(Path(args.config).resolve()),
        result_ttl_s=args.result_ttl,
        heartbeat_timeout_s=args.requeue_after,
        retry_backoff_s=args.retry_backoff,
        scratch=None if args.scratch is None else str(Path(args.scratch).resolve()),
        problems=[str(Path(p).resolve()) for p in args.problems],
    )


def _prepare(args: argparse.Namespace) -> str:
    """The worker processes' argument, once the options and this machine are checked."""
    try:
        import dramatiq  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        from grader.queue.broker import missing_extra

        raise missing_extra() from None
    from grader.queue.worker import Settings, open_grader, settings_arg

    settings = _settings(args)
    assert isinstance(settings, Settings)
    open_grader(settings).close()  # the configuration loads and isolation is acceptable
    return settings_arg(settings)


def _supervise(argument: str, processes: int) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    command = [sys.executable, "-m", "grader.queue.worker", argument]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, stdin=subprocess.PIPE)

    workers = [start() for _ in range(processes)]
    delays = [RESTART_DELAY_S[0]] * processes
    status = 0
    while not stop.wait(0.5):
        for i, proc in enumerate(workers):
            code = proc.poll()
            if code is None:
                continue
            if code == EXIT_BAD_SETUP:  # it said why on stderr; starting it again will not help
                stop.set()
                status = code
                break
            sys.stderr.write(
                f"grade-worker: worker process {proc.pid} ended ({code}); starting another\n"
            )
            if stop.wait(delays[i]):
                break
            delays[i] = min(delays[i] * 2, RESTART_DELAY_S[1])
            workers[i] = start()
    for proc in workers:
        if proc.stdin is not None:
            proc.stdin.close()  # the worker's signal to finish what it began and exit
    for proc in workers:
        proc.wait()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the workers until SIGTERM or SIGINT; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        argument = _prepare(args)
    except BadInput as exc:
        sys.stderr.write(f"grade-worker: {exc}\n")
        return EXIT_BAD_SETUP
    except GraderFault as exc:
        sys.stderr.write(f"grade-worker: grader fault: {exc}\n")
        return 3
    plural = "es" if args.processes > 1 else ""
    sys.stderr.write(f"grade-worker: starting {args.processes} worker process{plural}\n")
    started = time.monotonic()
    status = _supervise(argument, args.processes)
    sys.stderr.write(f"grade-worker: stopped after {time.monotonic() - started:.0f} s\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
