"""What a reference server in ``fixtures/`` is: the replies of one problem's server.

A fixture module defines ``Server``, a subclass of ``ReferenceServer``. The grader gives each run
a fresh instance with its own random generator, so replies differ from grading to grading and a
script that prints a constant cannot pass. ``serve`` runs the same fixture as a standalone
server on a real port, for trying a script by hand.
"""

from __future__ import annotations

import random
import socket
import sys

from grader.problem.protocol import ServerSession

MAX_REPLY = 200  # PROBLEMS.md: one recv(1024) always gets a whole reply


class ReferenceServer:
    """Base class of the per-problem reference servers."""

    #: Does this server answer each message? (Problems 1 and 2 only listen.)
    replies: bool = False

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def reply(self, message: bytes, turn: int) -> bytes:
        """The reply to ``message``, the ``turn``-th of its connection (from 0)."""
        raise NotImplementedError

    def token(self) -> str:
        """The random part of a reply: six digits."""
        return f"{self.rng.randrange(1_000_000):06d}"

    def answer(self, message: bytes, turn: int) -> bytes:
        """``reply`` checked against the rules every reply must keep."""
        data = self.reply(message, turn)
        if len(data) > MAX_REPLY or b"\n" in data or data != data.rstrip():
            raise ValueError(f"{type(self).__name__} made an invalid reply: {data!r}")
        return data


def serve(server_class: type[ReferenceServer], messages: list[str], port: int = 9090) -> None:
    """Serve one problem on 127.0.0.1:``port`` until interrupted, printing what crosses the wire."""
    expected = [m.encode() for m in messages]
    with socket.create_server(("127.0.0.1", port)) as listener:
        print(f"listening on 127.0.0.1:{port}; Ctrl-C to stop", file=sys.stderr)
        while True:
            conn, peer = listener.accept()
            fixture = server_class(random.Random())
            session = ServerSession(expected, fixture.answer if fixture.replies else None)
            with conn:
                while data := conn.recv(65536):
                    print(f"{peer[1]} -> {data!r}")
                    for reply in session.feed(data):
                        conn.sendall(reply)
                        print(f"{peer[1]} <- {reply!r}")
            print(f"{peer[1]} closed")
