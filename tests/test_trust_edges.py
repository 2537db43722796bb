"""The one rule at its edges: each a hostile or unusual script graded end to end, in both modes.

Strategy: each test states what PROBLEMS.md and the README's security model promise for the
script it grades (a socket from another loopback address kept alive without a descriptor, a
process that outlives its first thread, with blocks that do not end in the close, a close by
``os.close()``); the scripts are kept short and self-explaining.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.api import Grader
from grader.config import Config
from grader.report import Check, Report
from tests.test_sandbox import GRADE

LIMIT = 2.0

# The socket's source address is 127.0.0.2: a kernel lookup keyed on 127.0.0.1 misses it, so a
# socket kept alive by a memory mapping alone (libc's mmap: Python's keeps a duplicate
# descriptor) looks gone. shutdown() gives the server its FIN while the program runs.
MAPPED_FROM_ANOTHER_ADDRESS = """
import ctypes, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.connect(("127.0.0.1", 9090))
s.shutdown(socket.SHUT_WR)
libc.mmap(None, 4096, 1, 1, s.fileno(), 0)  # PROT_READ, MAP_SHARED
s.close()
assert "socket:" in open("/proc/self/maps").read()
"""

# The same from 127.0.0.2, the socket parked in an SCM_RIGHTS message nobody receives.
PARKED_FROM_ANOTHER_ADDRESS = """
import array, socket
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.connect(("127.0.0.1", 9090))
s.shutdown(socket.SHUT_WR)
a, b = socket.socketpair()
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [s.fileno()]))])
a.close()
s.close()
"""

# A correct problem 1 by PROBLEMS.md ("any way the program itself releases the socket while it
# runs counts"): the descriptor is closed with os.close() while the socket object is still
# referred to, so the garbage collector closed nothing.
OS_CLOSE_OF_ITS_DESCRIPTOR = """
import os, socket
s = socket.socket()
s.connect(("127.0.0.1", 9090))
os.close(s.fileno())
"""

# The main thread leaves with SYS_exit (x86_64: 60), not exit_group: the kernel's exit stop of
# the traced leader comes while another thread of the process lives on.
LEADER_LEAVES_FIRST = """
import ctypes, socket, threading, time
threading.Thread(target=time.sleep, args=(15,)).start()
with socket.create_connection(("127.0.0.1", 9090)):
    pass
ctypes.CDLL(None).syscall(60, 0)
"""

# A thread other than the leader calls exec: the kernel ends the old leader (an exit stop) while
# the process goes on as the new program.
EXEC_FROM_A_THREAD = """
import os, socket, sys, threading
with socket.create_connection(("127.0.0.1", 9090)):
    pass
code = "import time; time.sleep(15)"
threading.Thread(target=os.execv, args=(sys.executable, [sys.executable, "-c", code])).start()
threading.Event().wait(30)
"""

EXCHANGE = """
n = int(input())
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
for i in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
"""

# close() by hand at the *start* of a with block (in __enter__), after the whole exchange.
CLOSE_IN_ENTER = (
    "import socket\n"
    + EXCHANGE
    + """
class Closer:
    def __enter__(self):
        client_socket.close()
    def __exit__(self, *exc):
        return False

with Closer():
    pass
"""
)

# The with block's end closes one descriptor; a dup() keeps the socket open past the block and
# a plain close() after it is what closes the socket.
DUP_OUTLIVES_THE_BLOCK = """
import socket
n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for i in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
    keep = client_socket.dup()
keep.close()
"""


# A correct problem 4 (PROBLEMS.md: a with over contextlib.closing(...) counts): the inner block's
# end closes the socket; the outer block, begun while it was open, ends over it closed.
NESTED_WITH_OVER_THE_SAME_SOCKET = """
import contextlib, socket
n = int(input())
with socket.socket() as client_socket:
    with contextlib.closing(client_socket):
        client_socket.connect(('127.0.0.1', 9090))
        for i in range(n):
            client_socket.send(input().encode())
            print(client_socket.recv(1024).decode())
"""


@pytest.fixture(scope="module", params=["namespace", "routed"])
def grader(request: pytest.FixtureRequest) -> Iterator[Grader]:
    config = Config(isolation=request.param)
    with Grader.create(config=config, time_limit_s=LIMIT) as g:
        yield g


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.py"
    path.write_text(textwrap.dedent(text))
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    return path


def failed(report: Report, name: str) -> list[Check]:
    return [c for c in report.failed_checks if c.name == name]


@pytest.mark.parametrize(
    "text", [MAPPED_FROM_ANOTHER_ADDRESS, PARKED_FROM_ANOTHER_ADDRESS], ids=["mmap", "message"]
)
def test_a_socket_from_another_loopback_address_kept_without_a_descriptor_is_not_closed(
    grader: Grader, tmp_path: Path, text: str
) -> None:
    report = grader.grade(script(tmp_path, text), 1)
    assert report.verdict == "fail"
    [closed] = failed(report, "closed")
    assert closed.hint_key == "held_without_descriptor"


@pytest.mark.parametrize("text", [LEADER_LEAVES_FIRST, EXEC_FROM_A_THREAD], ids=["exit", "exec"])
def test_a_process_living_on_after_its_leader_exits_is_stopped_at_the_time_limit(
    grader: Grader, tmp_path: Path, text: str
) -> None:
    report = grader.grade(script(tmp_path, text), 1)
    assert report.verdict == "fail"
    [end] = failed(report, "clean_end")
    assert end.observed == f"still running after {LIMIT:g} s; stopped"


@pytest.mark.parametrize("text", [CLOSE_IN_ENTER, DUP_OUTLIVES_THE_BLOCK], ids=["enter", "dup"])
def test_problem_4_needs_the_end_of_a_with_block_to_close_the_socket(
    grader: Grader, tmp_path: Path, text: str
) -> None:
    report = grader.grade(script(tmp_path, text), 4)
    assert report.verdict == "fail"
    assert failed(report, "closed")


def test_closing_its_descriptor_with_os_close_is_the_program_closing_its_socket(
    grader: Grader, tmp_path: Path
) -> None:
    report = grader.grade(script(tmp_path, OS_CLOSE_OF_ITS_DESCRIPTOR), 1)
    assert report.verdict == "pass", report.failed_checks


def test_routed_mode_chosen_by_the_configuration_is_not_blamed_on_the_machine(
    tmp_path: Path,
) -> None:
    config = tmp_path / "grader.toml"
    config.write_text('[isolation]\nmode = "routed"\n')
    path = script(
        tmp_path, "import socket\nsocket.create_connection(('127.0.0.1', 9090)).close()\n"
    )
    done = subprocess.run(
        [str(GRADE), str(path), "--problem", "1", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no namespace isolation on this machine" not in done.stdout
    assert "routed in-process, without namespace isolation" in done.stdout


def test_a_with_inside_a_with_over_the_same_socket_is_no_tampering(
    grader: Grader, tmp_path: Path
) -> None:
    report = grader.grade(script(tmp_path, NESTED_WITH_OVER_THE_SAME_SOCKET), 4)
    assert not failed(report, "untampered")
    assert report.verdict == "pass", report.failed_checks


# A forged report naming a line that is no with statement: the position is checked against the
# source, so the close stays a close (closed below the socket module's hooks, it leaves no report
# of its own to contradict the forged one).
FORGED_WITH_AT_ANOTHER_LINE = """
import _socket, os, socket
n = int(input())
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
for i in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
port = client_socket.getsockname()[1]
os.write(3, b"C\\t%d\\twith\\t4\\t4\\t0\\t31" % port)
_socket.socket.close(client_socket)
"""


def test_a_with_report_at_a_line_that_is_no_with_statement_does_not_count(
    grader: Grader, tmp_path: Path
) -> None:
    report = grader.grade(script(tmp_path, FORGED_WITH_AT_ANOTHER_LINE), 4)
    assert not failed(report, "untampered")  # well-formed and in sequence: only its place is wrong
    assert {c.hint_key for c in failed(report, "closed")} == {"not_with"}
