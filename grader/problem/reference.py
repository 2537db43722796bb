"""What a reference server is: the replies of one problem's server, written by whoever set the
problem (the built-in ones in ``fixtures/``, a teacher's beside its spec in a pack).

A server module defines ``Server``, a subclass of ``ReferenceServer``. The grader gives each run
a fresh instance with its own random generator, so replies differ from grading to grading and a
script that prints a constant cannot pass. The class says how its conversation goes: whether it
replies, whether it frames messages by lines, what it says first, when it closes its side, what
it expects next given its replies, and what a learner prints of them. ``serve`` runs the same
server on a real port, for trying a script by hand.

Strategy: a pack's server is the teacher's code, trusted like the grader, but its faults are the
pack's, never the learner's: every call into it goes through ``_guarded``, which turns an
exception, a reply that breaks its own rules or a call that does not return into a
``GraderFault`` naming the problem and its pack.
"""

from __future__ import annotations

import random
import socket
import sys
import threading
from collections.abc import Callable
from typing import TextIO, TypeVar

from grader.errors import GraderFault
from grader.i18n import Catalogue, english
from grader.problem.protocol import ServerSession

MAX_REPLY = 200  # PROBLEMS.md: one recv(1024) always gets a whole reply
CALL_S = 2.0  # how long one call into a server may take: it computes a reply, nothing more
T = TypeVar("T")


class PackFault(GraderFault):
    """A problem's own reference server failed: the pack's author is to fix it."""


class ReferenceServer:
    """Base class of the per-problem reference servers."""

    #: Does this server answer each message? (Problems 1 and 2 only listen.)
    replies: bool = False
    #: ``message``: a message is the text the spec expects, however it was split (the lesson's
    #: rule); ``line``: each line, up to and with its "\n", is a message and gets a reply.
    framing: str = "message"
    #: The lesson's rule for replies: one line, no "\n", at most ``MAX_REPLY`` bytes, so one
    #: recv(1024) gets a whole reply. A server with a protocol of its own turns it off.
    lesson_replies: bool = True
    #: Set by the grader: which problem of which pack this server plays (named in its faults).
    origin: str = "a reference server"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # -- what a problem's server defines ---------------------------------------------------
    def reply(self, message: bytes, turn: int) -> bytes:
        """The reply to ``message``, the ``turn``-th of its connection (from 0)."""
        raise NotImplementedError

    def opening(self) -> bytes:
        """What the server sends as soon as a connection is accepted (default: nothing)."""
        return b""

    def closes_after(self, reply: bytes) -> bool:
        """Does the server close its side once ``reply`` is sent? (Default: never; the
        client closes first.)"""
        return False

    @classmethod
    def expected(cls, messages: tuple[bytes, ...], replies: tuple[bytes, ...]) -> tuple[bytes, ...]:
        """The messages a correct client sends, given the spec's ``messages`` and the replies it
        got (default: the spec's, whatever the replies). A server whose reply decides the next
        message computes them here; a pure function, also used to judge."""
        return messages

    @classmethod
    def printed(cls, replies: tuple[bytes, ...]) -> str:
        """What a correct client prints, given every reply of the run (``output: replies``;
        default: each reply decoded as UTF-8, one per line)."""
        return "\n".join(r.decode("utf-8", "replace").rstrip("\r\n") for r in replies)

    #: How the output check is titled when ``printed`` is not the default.
    printed_title: str = ""
    #: How the sent check is titled when ``expected`` is not the default.
    sent_title: str = ""

    @classmethod
    def decides_messages(cls) -> bool:
        """Does this server's reply decide what a correct client sends next?"""
        return cls.expected.__func__ is not ReferenceServer.expected.__func__  # type: ignore[attr-defined]

    @classmethod
    def closes_first(cls) -> bool:
        """May this server close its side before the client does?"""
        return cls.closes_after is not ReferenceServer.closes_after

    def token(self) -> str:
        """The random part of a reply: six digits."""
        return f"{self.rng.randrange(1_000_000):06d}"

    # -- what the grader calls -------------------------------------------------------------
    def answer(self, message: bytes, turn: int) -> bytes:
        """``reply``, guarded and checked against the rules every reply must keep."""
        return self._checked(self._guarded(lambda: self.reply(message, turn), "reply()"))

    def greet(self) -> bytes:
        """``opening``, guarded and checked like a reply (b"": nothing to send)."""
        if type(self).opening is ReferenceServer.opening:
            return b""  # the lesson's servers never speak first: no call to guard
        data = self._guarded(self.opening, "opening()")
        return self._checked(data) if data else b""

    def closing(self, reply: bytes) -> bool:
        """``closes_after``, guarded."""
        if type(self).closes_after is ReferenceServer.closes_after:
            return False
        return bool(self._guarded(lambda: self.closes_after(reply), "closes_after()"))

    def _checked(self, data: object) -> bytes:
        if not isinstance(data, bytes):
            raise PackFault(
                f"{self.origin}: the server's reply is {type(data).__name__}, not bytes"
            )
        if self.lesson_replies and (
            len(data) > MAX_REPLY or b"\n" in data or data != data.rstrip()
        ):
            raise PackFault(
                f"{self.origin}: {type(self).__name__} made an invalid reply: {data[:80]!r} (one "
                f"line of at most {MAX_REPLY} bytes; set lesson_replies = False for another "
                "protocol)"
            )
        return data

    def _guarded(self, call: Callable[[], T], what: str) -> T:
        """``call()`` on a thread of its own, within ``CALL_S``; any failure is the pack's."""
        result: list[T] = []
        error: list[BaseException] = []

        def run() -> None:
            try:
                result.append(call())
            except BaseException as exc:  # reported below, in the grader's thread
                error.append(exc)

        worker = threading.Thread(target=run, name="reference-server", daemon=True)
        worker.start()
        worker.join(CALL_S)
        if worker.is_alive():
            raise PackFault(
                f"{self.origin}: the server's {what} did not return within {CALL_S:g} s; "
                "fix its loop or wait"
            )
        if error:
            exc = error[0]
            if isinstance(exc, GraderFault):
                raise exc
            raise PackFault(
                f"{self.origin}: the server's {what} raised {type(exc).__name__}: {exc}"
            ) from exc
        return result[0]


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
            session = ServerSession(expected, fixture.answer if fixture.replies else None, fixture)
            with conn:
                _converse(conn, session, peer[1], out, words or english())


def _converse(
    conn: socket.socket, session: ServerSession, peer: int, out: TextIO, words: Catalogue
) -> None:
    def say(line: str) -> None:
        print(line, file=out, flush=True)

    def send(replies: list[bytes]) -> None:
        for reply in replies:
            conn.sendall(reply)
            say(f"{peer} ← {reply!r}  ({reply.decode('utf-8', 'replace').rstrip()})")
        if session.closed:
            conn.shutdown(socket.SHUT_WR)  # the server's protocol closes its side here

    say(words.message("serve.connection", port=peer))
    send(session.opening())
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
        if replies:
            send(replies)
    say(f"{peer}: {words.message('wire.fin')}")
