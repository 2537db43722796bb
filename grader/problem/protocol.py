"""The reference server's side of a conversation, as a pure state machine (no I/O).

Strategy: TCP is a stream and a lesson message carries no delimiter, so the server cannot wait
for a newline. It knows the message it should get, and replies as soon as what arrived is either
the whole message or can no longer become it (a different or longer text): a correct client
gets its reply at once, a wrong one is not left hanging, and how the client split its sends
never matters. Bytes that arrive before a reply stay recorded in the order they arrived, so a
client that sends its next message before reading the reply is visible in the transcript.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

ReplyFn = Callable[[bytes, int], bytes]


class ServerSession:
    """One accepted connection: feed it what arrived, it answers with the replies to send."""

    def __init__(self, expected: Sequence[bytes], reply: ReplyFn | None) -> None:
        self._expected = tuple(expected)
        self._reply = reply
        self._buffer = b""
        self._turn = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Take bytes from the client; return the replies now due, in order."""
        if self._reply is None:
            return []
        self._buffer += data
        out: list[bytes] = []
        while self._turn < len(self._expected) and self._buffer:
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
            out.append(self._reply(message, self._turn))
            self._turn += 1
        return out

    def flush(self) -> list[bytes]:
        """Answer what waits as a message of its own, whatever it is: a server tried by hand
        cannot know the learner's message, and answers once nothing more arrives."""
        if self._reply is None or not self._buffer:
            return []
        message, self._buffer = self._buffer, b""
        reply = self._reply(message, self._turn)
        self._turn += 1
        return [reply]
