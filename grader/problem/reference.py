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
from collections.abc import Callable
from typing import TextIO

from grader.i18n import Catalogue, english
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


QUIET_S = 0.3  # by hand: what arrived is answered once nothing more came for this long


def serve(
    server_class: type[ReferenceServer],
    messages: list[str],
    port: int = 9090,
    out: TextIO | None = None,
    ready: Callable[[int], None] | None = None,
    words: Catalogue | None = None,
) -> None:
    """Serve one problem on 127.0.0.1:``port`` until interrupted, printing what crosses the wire.

    The expected ``messages`` are answered as soon as they arrive whole; anything else once
    nothing more arrives for ``QUIET_S``, so a script tried by hand gets its reply whatever it
    sends. ``ready`` is called with the port listened on (``port`` 0: one the system chose).
    """
    out = out or sys.stdout
    expected = [m.encode() for m in messages]
    with socket.create_server(("127.0.0.1", port)) as listener:
        bound = listener.getsockname()[1]
        if ready is not None:
            ready(bound)
        while True:
            conn, peer = listener.accept()
            fixture = server_class(random.Random())
            session = ServerSession(expected, fixture.answer if fixture.replies else None)
            with conn:
                _converse(conn, session, peer[1], out, words or english())


def _converse(
    conn: socket.socket, session: ServerSession, peer: int, out: TextIO, words: Catalogue
) -> None:
    def say(line: str) -> None:
        print(line, file=out, flush=True)

    say(words.message("serve.connection", port=peer))
    conn.settimeout(QUIET_S)
    while True:
        try:
            data = conn.recv(65536)
        except TimeoutError:
            replies = session.flush()
        except ConnectionResetError:
            say(f"{peer}: {words.message('wire.rst')}")
            return
        else:
            if not data:
                break
            say(f"{peer} → {data!r}")
            replies = session.feed(data)
        for reply in replies:
            conn.sendall(reply)
            say(f"{peer} ← {reply!r}  ({reply.decode('utf-8', 'replace')})")
    say(f"{peer}: {words.message('wire.fin')}")
