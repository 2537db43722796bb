"""The reference server's side of a conversation, as a pure state machine (no I/O).

Strategy: TCP is a stream and a lesson message carries no delimiter, so the server cannot wait
for a newline. It knows the message it should get, and replies as soon as what arrived is either
the whole message or can no longer become it (a different or longer text): a correct client
gets its reply at once, a wrong one is not left hanging, and how the client split its sends
never matters. A server of a line protocol (``framing = "line"``) replies to each line instead,
whatever it holds: its reply decides what a correct client sends next. A server may speak first
(``opening``) and may close its side after a reply (``closed``); the wire recorder sends and
shuts what this says. Bytes that arrive before a reply stay recorded in the order they arrived,
so a client that sends its next message before reading the reply is visible in the transcript.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.problem.reference import ReferenceServer

ReplyFn = Callable[[bytes, int], bytes]


class ServerSession:
    """One accepted connection: feed it what arrived, it answers with the replies to send."""

    def __init__(
        self,
        expected: Sequence[bytes],
        reply: ReplyFn | None,
        server: ReferenceServer | None = None,
    ) -> None:
        self._expected = tuple(expected)
        self._reply = reply
        # The server whose ``answer`` replies: it says how the conversation is framed, what it
        # says first and when it closes. (Handed over as the bound method by the run's session.)
        owner = server if server is not None else getattr(reply, "__self__", None)
        self._server: ReferenceServer | None = owner if hasattr(owner, "greet") else None
        self._buffer = b""
        self._turn = 0
        self.closed = False  # the server has closed its side: nothing more is answered

    def opening(self) -> list[bytes]:
        """What the server sends as soon as the connection is accepted."""
        if self._server is None:
            return []
        data = self._server.greet()
        if not data:
            return []
        self.closed = self._server.closing(data)
        return [data]

    def feed(self, data: bytes) -> list[bytes]:
        """Take bytes from the client; return the replies now due, in order."""
        if self._reply is None or self.closed:
            return []
        self._buffer += data
        if self._server is not None and self._server.framing == "line":
            return self._lines()
        out: list[bytes] = []
        while self._turn < len(self._expected) and self._buffer and not self.closed:
            want = self._expected[self._turn]
            if self._buffer.startswith(want):
                message, self._buffer = want, self._buffer[len(want) :]
            elif want.startswith(self._buffer):
                break  # a prefix of the message: the rest may still be on its way
            elif out:
                # What trailed a whole message in the same arrival (a stray "\n") is not yet a
                # message of its own: it waits for the next bytes instead of drawing a reply.
                break
            else:
                message, self._buffer = self._buffer, b""  # diverged: answer what came
            out.append(self._answer(message))
        return out

    def _lines(self) -> list[bytes]:
        out: list[bytes] = []
        while b"\n" in self._buffer and not self.closed:
            line, _, self._buffer = self._buffer.partition(b"\n")
            out.append(self._answer(line + b"\n"))
        return out

    def _answer(self, message: bytes) -> bytes:
        assert self._reply is not None
        reply = self._reply(message, self._turn)
        self._turn += 1
        if self._server is not None:
            self.closed = self._server.closing(reply)
        return reply

    def flush(self) -> list[bytes]:
        """Answer what waits as a message of its own, whatever it is: a server tried by hand
        cannot know the learner's message, and answers once nothing more arrives."""
        if self._reply is None or not self._buffer or self.closed:
            return []
        message, self._buffer = self._buffer, b""
        return [self._answer(message)]
