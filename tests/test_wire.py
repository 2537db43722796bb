"""The server side's one socket-error translator: the peer's failures are records, ours are faults.

Real sockets on loopback (ephemeral ports): a reset sent by the client is recorded as ``rst``;
an error on the grader's own descriptor is a ``GraderFault``, never blamed on the learner.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import struct
import time
from collections.abc import Iterator

import pytest

from grader.errors import GraderFault
from grader.observe.wire import WireRecorder, peer_failed
from grader.problem.protocol import ServerSession


@pytest.mark.parametrize("code", [errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED])
def test_the_peers_failures_are_not_faults(code: int) -> None:
    peer_failed(OSError(code, os.strerror(code)))  # returns: the learner's side went away


@pytest.mark.parametrize("code", [errno.EBADF, errno.ENOTSOCK, errno.EMFILE, errno.EINVAL])
def test_failures_of_our_own_socket_are_grader_faults(code: int) -> None:
    with pytest.raises(GraderFault, match=errno.errorcode[code]):
        peer_failed(OSError(code, os.strerror(code)))


@pytest.fixture
def served() -> Iterator[tuple[WireRecorder, socket.socket, socket.socket]]:
    """A recorder serving one real connection; yields it, the client and the listener."""
    sel = selectors.DefaultSelector()
    listener = socket.create_server(("127.0.0.1", 0))
    wire = WireRecorder(sel, lambda: ServerSession([b"ping"], None), 4, 1024)
    wire.listen_on([listener])
    client = socket.create_connection(listener.getsockname(), timeout=5)
    for key, _ in sel.select(timeout=5):
        key.data()  # the accept
    try:
        yield wire, client, listener
    finally:
        client.close()
        wire.abandon()
        sel.close()


def test_a_reset_from_the_client_is_recorded_as_rst(
    served: tuple[WireRecorder, socket.socket, socket.socket],
) -> None:
    wire, client, _ = served
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    (conn,) = wire.finish(deadline=_in(5)).connections
    assert conn.end == "rst"


def test_a_broken_server_socket_is_a_grader_fault_not_a_reset(
    served: tuple[WireRecorder, socket.socket, socket.socket],
) -> None:
    wire, client, _ = served
    client.sendall(b"ping")
    (conn,) = wire._conns  # the server's side of the connection
    os.close(conn.sock.fileno())  # the grader's own descriptor, gone behind its back
    with pytest.raises(GraderFault, match="EBADF"):
        wire._read(conn)
    conn.sock.detach()  # its number is closed already


def _in(seconds: float) -> float:
    return time.monotonic() + seconds
