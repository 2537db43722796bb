"""A Redis client in a page of plain Python: RESP2 over a socket, as a platform in any language
would write it. It imports neither ``redis``, ``dramatiq`` nor ``grader``: what the queue's
protocol test does with it, docs/queue-protocol.md alone must have told it.
"""

from __future__ import annotations

import socket
from typing import Any


class RedisError(Exception):
    """An error reply (``-ERR ...``)."""


class PlainRedis:
    """One connection to the Redis server on a Unix socket; every read has a deadline."""

    def __init__(self, unix_socket: str, timeout: float = 30.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(unix_socket)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> PlainRedis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, *args: str | bytes | int) -> None:
        """Send one command as a RESP array of bulk strings."""
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(parts))

    def call(self, *args: str | bytes | int) -> Any:
        """Send one command and read its reply."""
        self.send(*args)
        return self.reply()

    def reply(self, timeout: float | None = None) -> Any:
        """Read one reply (blocking up to ``timeout`` seconds, or the connection's)."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self._exactly(size + 2)[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self.reply() for _ in range(count)]
        raise RedisError(f"unexpected reply {line!r}")

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._more()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._more()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RedisError("the server closed the connection")
        self.buffer += chunk
