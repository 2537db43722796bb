"""Wraps the socket methods the lesson uses so that the grader learns what the program did.

Strategy: the hooks *report* (which address was asked for, which call closed a socket and from
where in the script); the verdict on bytes and endings comes from the server side and the
kernel, never from here. Every wrapper calls the real method with the script's own arguments,
so the script sees what ``python script.py`` would: the same return values and the same
exceptions, blocking or not. In routed mode (no network namespace) ``connect`` is pointed at
the grader's sockets, but only where the real call would have reached 127.0.0.1:9090: the port
must be one the real call accepts and the host is resolved the way the real call resolves it.

Reports (see ``grader.observe.trace`` for their table):
  ``N host port outcome local_port``  a connect call; a socket whose connection is under way
                                      (non-blocking) or made gets its local port, and is traced;
  ``C local_port how line end_line col end_col``  a traced socket is closed, once: ``with``
                                      (it closed while the script was ending a ``with``
                                      statement, whatever that statement was over: the socket,
                                      ``contextlib.closing``, an ``ExitStack``, the learner's
                                      own class), ``exit`` (its ``__exit__`` called by hand),
                                      ``detach`` (its descriptor taken over by the program) or
                                      ``close`` (anything else); the position is that of the
                                      with statement, else of the script's innermost code on
                                      the stack, empty when none. A with block that ends over a
                                      socket closed inside it (an extra ``close()``) reports
                                      ``with`` after ``close``, if the socket was still open
                                      when the block began.
These reports only explain how a socket was closed; that it was is the kernel's to say.
"""

import _socket
import errno
import operator
import os
import socket
import sys
import weakref

from grader.sandbox.lesson import LESSON_PORT

IN_PROGRESS = frozenset({0, errno.EINPROGRESS, errno.EALREADY, errno.EAGAIN, errno.EISCONN})
LESSON_V4 = frozenset({"127.0.0.1", "0.0.0.0"})  # Linux connects 0.0.0.0 to the loopback
MAPPED_V4 = frozenset({"::ffff:127.0.0.1", "::ffff:0.0.0.0"})


def resolve(family, host):
    """The address the real ``connect`` would use for ``host``, or None where it would fail."""
    if host == "":
        return "0.0.0.0" if family == _socket.AF_INET else "::"
    try:
        return _socket.getaddrinfo(host, None, family)[0][4][0]
    except Exception:  # the real call fails too, and raises its own error for the script
        return None


def routed(route, sock, address):
    """``address`` pointed at the grader's sockets, or unchanged where the real call would fail.

    ``route`` holds three ports: the lesson's address (over IPv4), then a port that refuses over
    IPv4 and one over IPv6. Any address but the lesson's is refused, as a closed port refuses; so
    is IPv6 (bar an IPv4-mapped address), since the lesson's server listens on 127.0.0.1 only.
    """
    family = sock.family
    if family not in (_socket.AF_INET, _socket.AF_INET6):
        return address
    if not isinstance(address, tuple) or not 2 <= len(address) <= 4:
        return address
    if family == _socket.AF_INET and len(address) != 2:
        return address  # the real call raises TypeError itself
    try:
        port = operator.index(address[1])
    except TypeError:
        return address  # 9090.0, '9090': the real call raises TypeError itself
    if not 0 <= port <= 65535:
        return address  # the real call raises OverflowError itself
    ip = resolve(family, address[0])
    if ip is None:
        return address
    rest = tuple(address[2:])
    if family == _socket.AF_INET:
        lesson = port == LESSON_PORT and ip in LESSON_V4
        return ("127.0.0.1", route[0] if lesson else route[1])
    if port == LESSON_PORT and ip in MAPPED_V4:
        return ("::ffff:127.0.0.1", route[0]) + rest
    # The lesson's server listens on 127.0.0.1 only: over IPv6 it refuses, as a real one would.
    return ("::1", route[2]) + rest


def position(frame, script):
    """Where ``frame`` is in the script: (line, end line, column, end column), or blanks."""
    if frame is None or frame.f_code.co_filename != script:
        return ("", "", "", "")
    index = frame.f_lasti // 2  # one position per code unit of two bytes
    for i, where in enumerate(frame.f_code.co_positions()):
        if i == index:
            return tuple("" if p is None else p for p in where)
    return (frame.f_lineno or "", "", "", "")


def parse(source):
    """The syntax tree of ``source``, or None where it does not parse (running it says why)."""
    import ast

    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def with_spans(tree):
    """The spans of every ``with`` statement in ``tree``: where Python ends each block."""
    import ast

    if tree is None:
        return frozenset()
    return frozenset(
        (node.lineno, node.end_lineno, node.col_offset, node.end_col_offset)
        for node in ast.walk(tree)
        if isinstance(node, (ast.With, ast.AsyncWith))
    )


MAX_FRAMES = 64  # how far up the stack a close looks for the with statement ending it


def _entering():
    """The opcodes with which a with statement begins (it calls ``__enter__`` from them)."""
    import opcode

    return frozenset(
        opcode.opmap[name] for name in ("BEFORE_WITH", "BEFORE_ASYNC_WITH") if name in opcode.opmap
    )


ENTERING = _entering()


def closing_with(frame, script, spans):
    """(position of the with statement being ended, innermost script position) for a close.

    A frame of the script at a with statement's position is ending that block unless it is
    beginning it (a close from inside ``__enter__`` is not the block's end).
    """
    inner = ("", "", "", "")
    depth = 0
    while frame is not None and depth < MAX_FRAMES:
        if frame.f_code.co_filename == script:
            where = position(frame, script)
            if where in spans and frame.f_code.co_code[frame.f_lasti] not in ENTERING:
                return where, inner
            if inner[0] == "":
                inner = where
        frame = frame.f_back
        depth += 1
    return None, inner


def install_hooks(report, route, script, tree=None):
    """Wrap connect, connect_ex, close, ``__enter__`` and ``__exit__`` of ``socket.socket``."""
    real_connect = _socket.socket.connect
    real_connect_ex = _socket.socket.connect_ex
    real_close = socket.socket.close
    real_enter = socket.socket.__enter__
    real_detach = socket.socket.detach
    real_exit = socket.socket.__exit__
    exit_code = real_exit.__code__
    spans = with_spans(tree)
    traced = weakref.WeakKeyDictionary()  # socket -> local port of its connection
    entered_open = weakref.WeakSet()  # sockets a with block began over while they were open
    closed = weakref.WeakSet()  # sockets whose close was reported (close(), os.close(), ...)
    closed_by_with = weakref.WeakSet()  # sockets whose close was a with block's end
    by_fd = {}  # descriptor -> traced socket objects on it (weak): os.close() of one is told
    real_dup = socket.socket.dup
    real_os_close = os.close

    def others_open(sock, lport):
        """Another traced object of the same connection is still open (a dup())."""
        return any(
            other is not sock and traced.get(other) == lport and other.fileno() >= 0
            for other in list(traced.keys())
        )

    def release(sock, lport, caller, by_hand=False):
        """Report the close of a traced socket's connection, once, from where it happened."""
        if sock in closed or others_open(sock, lport):
            return  # told already, or a duplicate of it still holds the connection
        ending, inner = closing_with(caller, script, spans)
        if ending is not None:
            report("C", lport, "with", *ending)
            closed_by_with.add(sock)
        elif by_hand:
            report("C", lport, "exit", *inner)  # __exit__ called by hand
        else:
            report("C", lport, "close", *inner)
        closed.add(sock)

    def target(sock, address):
        return address if route is None else routed(route, sock, address)

    def describe(address):
        if isinstance(address, tuple) and len(address) >= 2:
            port = address[1]
            return address[0], port if type(port) is int else repr(port)
        return address, ""

    def local_port(sock):
        try:
            name = sock.getsockname()
        except OSError:
            return 0
        return name[1] if isinstance(name, tuple) and len(name) >= 2 else 0

    def trace(sock, outcome, address):
        host, port = describe(address)
        lport = local_port(sock)
        # Reported before the socket is traced, so that its close can only follow this report.
        report("N", host, port, outcome, lport or "")
        if lport:
            traced[sock] = lport
            by_fd.setdefault(sock.fileno(), weakref.WeakSet()).add(sock)

    def connect(self, address):
        try:
            real_connect(self, target(self, address))
        except (BlockingIOError, InterruptedError) as exc:
            trace(self, type(exc).__name__, address)  # under way: it may still connect
            raise
        except BaseException as exc:
            report("N", *describe(address), type(exc).__name__, "")
            raise
        trace(self, "connected", address)

    def connect_ex(self, address):
        code = real_connect_ex(self, target(self, address))
        if code in IN_PROGRESS:
            trace(self, "connected" if code == 0 else f"errno {code}", address)
        else:
            report("N", *describe(address), f"errno {code}", "")
        return code

    def close(self):
        lport = traced.get(self)
        if lport is not None and self.fileno() >= 0:
            caller = sys._getframe(1)
            release(self, lport, caller, by_hand=caller.f_code is exit_code)
        real_close(self)

    def dup(self):
        copy = real_dup(self)
        lport = traced.get(self)
        if lport is not None:
            traced[copy] = lport  # the same connection: only its last close closes it
            by_fd.setdefault(copy.fileno(), weakref.WeakSet()).add(copy)
        return copy

    def os_close(fd):
        for sock in list(by_fd.get(fd, ())):
            lport = traced.get(sock)
            if lport is not None and sock.fileno() == fd:
                release(sock, lport, sys._getframe(1))
        return real_os_close(fd)

    def detach(self):
        lport = traced.get(self)
        if lport is not None and self.fileno() >= 0:
            # The program takes the descriptor over: whether it then closes it (os.close) is
            # the kernel's to say.
            report("C", lport, "detach", *closing_with(sys._getframe(1), script, spans)[1])
        return real_detach(self)

    def enter(self):
        if self.fileno() >= 0:
            entered_open.add(self)
        return real_enter(self)

    def exit_(self, *args):
        lport = traced.get(self)
        inside = self in entered_open and self in closed and self not in closed_by_with
        if lport is not None and self.fileno() < 0 and inside:
            # Closed inside the block (an extra close()), open when the block began: the
            # block's end still closes it, as far as the lesson is concerned.
            entered_open.discard(self)
            ending, _inner = closing_with(sys._getframe(1), script, spans)
            if ending is not None:
                report("C", lport, "with", *ending)
                closed_by_with.add(self)
        return real_exit(self, *args)

    connect.__qualname__ = "socket.connect"
    connect_ex.__qualname__ = "socket.connect_ex"
    close.__qualname__ = "socket.close"
    enter.__qualname__ = "socket.__enter__"
    detach.__qualname__ = "socket.detach"
    dup.__qualname__ = "socket.dup"
    os_close.__name__ = os_close.__qualname__ = "close"
    os_close.__module__ = real_os_close.__module__
    os_close.__doc__ = real_os_close.__doc__
    exit_.__qualname__ = "socket.__exit__"
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.close = close
    socket.socket.__enter__ = enter
    socket.socket.detach = detach
    socket.socket.dup = dup
    os.close = os_close
    socket.socket.__exit__ = exit_
