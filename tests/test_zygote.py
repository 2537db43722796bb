"""Runs are forked from one warm interpreter: prove that nothing passes from one run to the next."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from grader.api import Grader
from grader.config import Config
from tests.conftest import SUBMISSIONS
from tests.machine import need

POLLUTE = """
import builtins, os, socket, sys, json
builtins.LEAKED = 1
socket.LEAKED = 1
socket.socket.send = None
os.environ['LEAKED'] = '1'
sys.path.append('/leaked')
sys.modules['leaked_module'] = json
kept = [open(os.devnull) for _ in range(5)]
os.dup2(kept[0].fileno(), 40)
with open('left_behind.txt', 'w') as f:
    f.write('x')
"""

# A correct problem 2 solution that ends with status 3 when it sees any trace of an earlier run.
CHECK_CLEAN = """
import builtins, os, socket, sys
fds = set(os.listdir('/proc/self/fd'))
leaks = [
    hasattr(builtins, 'LEAKED'),
    hasattr(socket, 'LEAKED'),
    'LEAKED' in os.environ,
    '/leaked' in sys.path,
    'leaked_module' in sys.modules,
    'json' in sys.modules,
    os.path.exists('left_behind.txt'),
    len(fds - {'0', '1', '2', '3'}) > 1,  # one more: the descriptor listdir itself used
]
with socket.socket() as s:
    s.connect(('127.0.0.1', 9090))
    s.send('Wake up, Neo'.encode())
if any(leaks):
    print(leaks, sorted(fds))
    sys.exit(3)
"""


def test_a_run_sees_nothing_of_an_earlier_one(script: Callable[..., Path]) -> None:
    with Grader.create() as grader:
        polluter, checker = script(POLLUTE), script(CHECK_CLEAN)
        assert grader.grade(polluter, 2).verdict == "fail"
        report = grader.grade(checker, 2)
        assert report.verdict == "pass", report.failed_checks


def test_each_run_has_its_own_random_state(script: Callable[..., Path]) -> None:
    path = script(
        """
        import random, socket
        print(random.random())
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(input().encode())
            s.recv(1024)
        """
    )
    with Grader.create() as grader:
        printed = [
            c.observed for _ in range(2) for c in grader.grade(path, 3).checks if c.name == "output"
        ]
    assert len(printed) == 6 and len(set(printed)) == 6, printed


def test_the_file_system_is_read_only_but_for_the_scratch_folder(
    script: Callable[..., Path], tmp_path: Path
) -> None:
    target = tmp_path / "outside.txt"
    path = script(
        f"""
        import socket, sys
        try:
            open({str(target)!r}, 'w').write('escaped')
            sys.exit(3)
        except OSError:
            pass
        open('inside.txt', 'w').write('fine')
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(b'Wake up, Neo')
        """
    )
    need("namespaces")  # routed mode has no file-system isolation (see the README)
    with Grader.create() as grader:
        assert grader.isolation == "namespace", "the machine makes namespaces; the grader did not"
        report = grader.grade(path, 2)
    assert report.verdict == "pass", report.failed_checks
    assert not target.exists()


def test_a_killed_worker_is_replaced(script: Callable[..., Path]) -> None:
    import os
    import select
    import signal

    path = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(b'Wake up, Neo')
        """
    )
    with Grader.create() as grader:
        assert grader.grade(path, 2).verdict == "pass"
        first = grader.zygote.pid
        pidfd = os.pidfd_open(first)
        os.kill(first, signal.SIGKILL)
        select.select([pidfd], [], [], 10)  # gone: its end of the channel is closed
        os.close(pidfd)
        assert grader.grade(path, 2).verdict == "pass"
        assert grader.zygote.pid != first


def test_a_dead_worker_is_replaced_while_a_copy_of_its_channel_lives_on(
    script: Callable[..., Path],
) -> None:
    # A run the zygote was preparing holds a copy of its channel for a moment: were it killed
    # then, a request sent there would be accepted and lost. The test holds such a copy.
    import ctypes
    import select
    import signal

    if os.geteuid() != 0:
        pytest.skip("taking a copy of the zygote's descriptor needs root (ptrace rights)")
    path = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(b'Wake up, Neo')
        """
    )
    with Grader.create() as grader:
        assert grader.grade(path, 2).verdict == "pass"
        first = grader.zygote.pid
        with open(f"/proc/{first}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        channel = int(argv[argv.index(b"-c") + 2])  # the descriptor number it was started with
        pidfd = os.pidfd_open(first)
        libc = ctypes.CDLL(None, use_errno=True)
        held = libc.syscall(438, pidfd, channel, 0)  # pidfd_getfd
        assert held >= 0, os.strerror(ctypes.get_errno())
        try:
            os.kill(first, signal.SIGKILL)
            select.select([pidfd], [], [], 10)  # gone, its channel open in this process
            report = grader.grade(path, 2)
            assert report.verdict == "pass", report.error
            assert grader.zygote.pid != first
        finally:
            os.close(held)
            os.close(pidfd)


# -- runs prepared ahead ------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _wait_for(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Poll ``check`` until it holds (bounded): the pool fills in the zygote's idle moments."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.mark.parametrize("pool", [0, 2])
def test_the_pool_keeps_its_size_and_leaves_nothing_when_closed(pool: int) -> None:
    need("namespaces")
    with Grader.create(config=replace(Config(), pool=pool)) as grader:
        assert grader.isolation.startswith("namespace")
        zygote = grader.zygote.pid
        assert _wait_for(lambda: len(_children(zygote)) == pool)
        first = set(_children(zygote))
        report = grader.grade(SUBMISSIONS / "p3" / "pass_with_block_localhost.py", 3)
        assert report.verdict == "pass", report.failed_checks
        # The claimed slots are gone with their runs; fresh ones took their place.
        assert _wait_for(lambda: len(_children(zygote)) == pool)
        assert not (first & set(_children(zygote))) or pool == 0
    assert _wait_for(lambda: not os.path.exists(f"/proc/{zygote}"))
