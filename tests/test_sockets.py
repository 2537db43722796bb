"""The kernel's view of a connection's client socket, both ways of looking, on real processes.

A child process (the "script") holds a client socket connected to a listener of this test; it
is looked at while it holds it, and again after it closed it, through the duplicate-descriptor
way and the inode way that serves where the kernel refuses ``pidfd_getfd``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.observe.sockets import SocketDiag, look

HOLDER = """
import socket, sys
s = socket.socket()
s.connect(("127.0.0.1", int(sys.argv[1])))
print(s.getsockname()[1], flush=True)
sys.stdin.readline()
if sys.argv[2] == "close":
    s.close()
elif sys.argv[2] == "shutdown":
    s.shutdown(socket.SHUT_WR)
print("done", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s


def holder(listener: socket.socket, then: str) -> tuple[subprocess.Popen[str], int, socket.socket]:
    port = listener.getsockname()[1]
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(port), then],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    client = int(child.stdout.readline())
    served, _ = listener.accept()
    return child, client, served


def step(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("\n")
    child.stdin.flush()
    assert child.stdout.readline() == "done\n"


@pytest.mark.parametrize("duplicate", [True, False], ids=["pidfd_getfd", "inode"])
def test_a_held_socket_then_a_closed_one(listener: socket.socket, duplicate: bool) -> None:
    child, client, served = holder(listener, "close")
    server = listener.getsockname()[1]
    diag = SocketDiag.here()
    try:
        seen = look(
            child.pid,
            diag,
            [(client, server, "127.0.0.1", "127.0.0.1")],
            "exit",
            duplicate=duplicate,
        )
        [state] = seen.sockets
        assert (state.local_port, state.server_port) == (client, server)
        assert state.held and state.holders == (child.pid,)
        assert state.tcp_state == "ESTABLISHED"
        step(child)  # closes it
        assert served.recv(16) == b""  # its FIN; the server's side stays open, as in a run
        seen = look(
            child.pid,
            diag,
            [(client, server, "127.0.0.1", "127.0.0.1")],
            "exit",
            duplicate=duplicate,
        )
        [state] = seen.sockets
        assert not state.held and state.holders == ()
    finally:
        diag.close()
        served.close()
        child.kill()
        child.wait()


@pytest.mark.parametrize("duplicate", [True, False], ids=["pidfd_getfd", "inode"])
def test_a_shut_down_socket_is_still_held(listener: socket.socket, duplicate: bool) -> None:
    child, client, served = holder(listener, "shutdown")
    server = listener.getsockname()[1]
    diag = SocketDiag.here()
    try:
        step(child)
        assert served.recv(16) == b""
        seen = look(
            child.pid,
            diag,
            [(client, server, "127.0.0.1", "127.0.0.1")],
            "exit",
            duplicate=duplicate,
        )
        [state] = seen.sockets
        assert state.held and state.holders == (child.pid,)
        assert state.tcp_state in ("FIN_WAIT1", "FIN_WAIT2")  # its FIN sent, acknowledged or not
    finally:
        diag.close()
        served.close()
        child.kill()
        child.wait()


def test_a_lookup_of_a_socket_that_never_was_finds_nothing() -> None:
    diag = SocketDiag.here()
    try:
        assert diag.lookup(1, 2) is None
    finally:
        diag.close()


# A supervisor starts the "script", which forks a child (itself a parent), a thread that forks
# another and ends (its child passes to the first thread), and a thread that forks one and lives
# on (its child is listed under that thread alone). Each prints its pid; all wait on stdin.
TREE = """
import os, subprocess, sys, threading
if sys.argv[1] == "supervisor":
    script = subprocess.Popen([sys.executable, __file__, "script"], stdin=subprocess.PIPE)
    os.write(1, f"script {script.pid}\\n".encode())  # one write: lines never interleave
    sys.stdin.readline()
    script.stdin.close()
    script.wait()
else:
    def fork_and_wait(name, depth):
        pid = os.fork()
        if pid == 0:
            if depth:
                fork_and_wait(name + "-child", depth - 1)
            os.write(1, f"{name} {os.getpid()}\\n".encode())
            os.read(0, 1)
            os._exit(0)
        return pid
    fork_and_wait("child", 1)
    t = threading.Thread(target=fork_and_wait, args=("thread-child", 0))
    t.start()
    t.join()

    def fork_and_stay(name):
        fork_and_wait(name, 0)
        os.read(0, 1)

    threading.Thread(target=fork_and_stay, args=("live-thread-child",), daemon=True).start()
    os.write(1, f"ready {os.getpid()}\\n".encode())
    os.read(0, 1)
"""


def test_a_runs_processes_are_found_by_walking_down_as_by_the_table_of_every_process(
    tmp_path: Path,
) -> None:
    from grader.observe.sockets import _run_processes_from_table, run_processes

    program = tmp_path / "tree.py"
    program.write_text(TREE)
    supervisor = subprocess.Popen(
        [sys.executable, str(program), "supervisor"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert supervisor.stdout is not None and supervisor.stdin is not None
    try:
        pids: dict[str, int] = {}
        names = {"script", "child", "child-child", "thread-child", "live-thread-child", "ready"}
        while len(pids) < len(names):  # in any order
            name, pid = supervisor.stdout.readline().split()
            pids[name] = int(pid)
        assert set(pids) == names
        expected = {pids[name] for name in names - {"ready"}}
        assert set(run_processes(pids["script"])) == expected
        assert set(_run_processes_from_table(pids["script"])) == expected
    finally:
        supervisor.stdin.close()
        supervisor.wait(timeout=30)
