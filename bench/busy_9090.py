"""A stranger on 127.0.0.1:9090 for the bench's soak: accepts anything and replies garbage.

Prints ``ready`` once it listens, or ``busy`` (and exits 0) when the port is already taken.
It serves until its standard input reaches end of file, then prints ``connections N`` (how
many connections reached it: a grading that leaks to the real port 9090 shows up here) and exits.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys

GARBAGE = b"\xff\xfe garbage from the wrong server on 9090 \x00"
IDLE_S = 600.0  # a deadline on every wait: a forgotten listener ends by itself


def _bind() -> socket.socket | None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 9090))
    except OSError:
        listener.close()
        return None
    listener.listen(64)
    listener.setblocking(False)
    return listener


def _serve(listener: socket.socket) -> int:
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    count = 0
    try:
        while True:
            events = sel.select(timeout=IDLE_S)
            if not events:
                return count
            for key, _mask in events:
                if key.data == "stdin":
                    if not os.read(sys.stdin.fileno(), 1024):
                        return count
                elif key.data == "accept":
                    conn, _peer = listener.accept()
                    conn.setblocking(False)
                    count += 1
                    sel.register(conn, selectors.EVENT_READ, "conn")
                else:
                    conn = key.fileobj  # type: ignore[assignment]
                    try:
                        data = conn.recv(4096)
                        if data:
                            conn.send(GARBAGE)
                    except OSError:
                        data = b""
                    if not data:
                        sel.unregister(conn)
                        conn.close()
    finally:
        for key in list(sel.get_map().values()):
            if isinstance(key.fileobj, socket.socket):
                key.fileobj.close()
        sel.close()


def main() -> int:
    listener = _bind()
    if listener is None:
        print("busy", flush=True)
        return 0
    print("ready", flush=True)
    count = _serve(listener)
    print(f"connections {count}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
