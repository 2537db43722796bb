"""Wraps the socket methods the lesson uses so that the grader learns what the program did.

Strategy: the hooks *report* (which address was asked for, which call closed a socket); the verdict
on bytes and endings comes from the server side and the kernel, never from here.
"""

import _socket
import socket

from grader.sandbox.channel import send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
LESSON_PORT = 9090


def install_hooks(ctrl, route):
    """Wrap the socket methods the lesson uses so that the grader learns what the program did."""
    real_connect = _socket.socket.connect
    real_connect_ex = _socket.socket.connect_ex
    real_close = socket.socket.close
    real_exit = socket.socket.__exit__
    local_ports = {}

    def target(sock, address):
        if route is None or not isinstance(address, tuple) or len(address) < 2:
            return address
        host, port = address[0], address[1]
        v6 = sock.family == _socket.AF_INET6
        if host in LOOPBACK_NAMES and port == LESSON_PORT:
            return (("::1", route[1]) if v6 else ("127.0.0.1", route[0])) + tuple(address[2:])
        # Everything else is refused deterministically, the way a closed port refuses.
        return ("::1", route[3]) + tuple(address[2:]) if v6 else ("127.0.0.1", route[2])

    def describe(address):
        if isinstance(address, tuple) and len(address) >= 2:
            return address[0], address[1]
        return address, ""

    def local_port(sock):
        try:
            name = sock.getsockname()
            return name[1] if isinstance(name, tuple) else ""
        except OSError:
            return ""

    def connect(self, address):
        host, port = describe(address)
        try:
            real_connect(self, target(self, address))
        except BaseException as exc:
            send(ctrl, "A", host, port, type(exc).__name__, "")
            raise
        lport = local_port(self)
        local_ports[id(self)] = lport
        send(ctrl, "A", host, port, "connected", lport)

    def connect_ex(self, address):
        host, port = describe(address)
        code = real_connect_ex(self, target(self, address))
        lport = local_port(self) if code == 0 else ""
        if code == 0:
            local_ports[id(self)] = lport
        send(ctrl, "A", host, port, "connected" if code == 0 else f"errno {code}", lport)
        return code

    def close(self):
        if self.fileno() >= 0 and id(self) in local_ports:
            send(ctrl, "C", local_ports[id(self)], "close")
        real_close(self)

    def exit_(self, *args):
        if id(self) in local_ports:
            send(ctrl, "C", local_ports[id(self)], "with")
        return real_exit(self, *args)

    connect.__qualname__ = "socket.connect"
    connect_ex.__qualname__ = "socket.connect_ex"
    close.__qualname__ = "socket.close"
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.close = close
    socket.socket.__exit__ = exit_
