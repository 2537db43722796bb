"""The first code that runs in the learner's interpreter; it then runs the learner's script.

Strategy: this file is executed as the interpreter's script (``python -I bootstrap.py ...``), so it
must import nothing but the standard library and stay cheap: it is paid once per run. It

1. applies the resource limits (memory, file size, open files, CPU) before any learner code runs;
2. in namespace mode, brings up ``lo`` in the fresh network namespace, binds 127.0.0.1:9090 and
   [::1]:9090 there and hands the listening sockets to the grader over the control socket
   (SCM_RIGHTS), keeping no copy; in routed mode, rewrites loopback addresses to the grader's
   ephemeral ports instead;
3. wraps ``socket.socket.connect``/``connect_ex``/``close``/``__exit__`` to *report* what the program
   asked for (which address, which socket it closed and how) -- the verdict on bytes and on how a
   connection ended comes from the server side, never from here;
4. runs the script as a fresh ``__main__`` module and reports how its body ended.

Control messages are single SEQPACKET datagrams of tab-separated UTF-8 text (see ``grader.trace``).
"""

import _socket
import _thread
import os
import socket
import sys

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
LESSON_PORT = 9090
ACK_WAIT_S = 10.0  # a bound only: the grader answers at once, or within its own short wait


def _send(ctrl, *fields):
    text = "\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields)
    try:
        ctrl.send(text.encode("utf-8", "replace")[:3000])
    except OSError:
        pass  # the grader is gone or the channel was closed by the script: nothing to report to


def _set_limits(memory_mb, fsize_mb, nofile, cpu_s, nproc):
    import resource

    for which, value in (
        # Counted per user namespace (Linux 5.14+): caps the run's own processes, a fork bomb
        # included, when the grader is an ordinary user; root is exempt (see the README).
        (resource.RLIMIT_NPROC, nproc),
        (resource.RLIMIT_AS, memory_mb * 1024 * 1024),
        (resource.RLIMIT_FSIZE, fsize_mb * 1024 * 1024),
        (resource.RLIMIT_NOFILE, nofile),
        (resource.RLIMIT_CPU, cpu_s),
        (resource.RLIMIT_CORE, 0),
    ):
        if value <= 0:
            continue
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a platform without this limit (RLIMIT_AS on macOS): documented as not enforced


def _bring_up_loopback():
    import fcntl
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        flags = struct.unpack("16sh", fcntl.ioctl(s, siocgifflags, struct.pack("16sh", b"lo", 0)))[
            1
        ]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))
    finally:
        s.close()


def _listen_here(ctrl):
    """Bind the lesson's address inside this namespace and give the listeners to the grader."""
    import struct

    _bring_up_loopback()
    listeners = []
    for family, host in ((_socket.AF_INET, "127.0.0.1"), (_socket.AF_INET6, "::1")):
        s = _socket.socket(family, _socket.SOCK_STREAM)
        try:
            if family == _socket.AF_INET6:
                s.setsockopt(_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 1)
            s.bind((host, LESSON_PORT))
            s.listen(16)
        except OSError:
            s.close()  # no IPv6 in this kernel: IPv4 alone still serves the lesson's address
            continue
        listeners.append(s)
    fds = [s.fileno() for s in listeners]
    ctrl.sendmsg(
        [b"L"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))]
    )
    for s in listeners:
        s.close()


def _install_hooks(ctrl, route):
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
        except OSError as exc:
            _send(ctrl, "A", host, port, type(exc).__name__, "")
            raise
        except BaseException as exc:
            _send(ctrl, "A", host, port, type(exc).__name__, "")
            raise
        lport = local_port(self)
        local_ports[id(self)] = lport
        _send(ctrl, "A", host, port, "connected", lport)

    def connect_ex(self, address):
        host, port = describe(address)
        code = real_connect_ex(self, target(self, address))
        lport = local_port(self) if code == 0 else ""
        if code == 0:
            local_ports[id(self)] = lport
        _send(ctrl, "A", host, port, "connected" if code == 0 else f"errno {code}", lport)
        return code

    def close(self):
        if self.fileno() >= 0 and id(self) in local_ports:
            _send(ctrl, "C", local_ports[id(self)], "close")
        real_close(self)

    def exit_(self, *args):
        if id(self) in local_ports:
            _send(ctrl, "C", local_ports[id(self)], "with")
        return real_exit(self, *args)

    connect.__qualname__ = "socket.connect"
    connect_ex.__qualname__ = "socket.connect_ex"
    close.__qualname__ = "socket.close"
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.close = close
    socket.socket.__exit__ = exit_


def _watch_grader(ctrl, ns_mode, ack):
    """End this run when the grader goes away, so that no learner process outlives it.

    The grader's only message is ``K``: it has seen, while this process still lives, how the
    script's connections ended (see ``_report_end``).
    """

    def watch():
        try:
            while ctrl.recv(64):
                if ack.locked():
                    ack.release()
        except OSError:
            pass
        # pid 1 of a pid namespace: its exit ends every process of the namespace.
        if not ns_mode:
            try:
                os.killpg(0, 9)
            except OSError:
                pass
        os._exit(137)

    _thread.start_new_thread(watch, ())


def _report_end(ctrl, ack, kind, exc_type, detail):
    """Say how the script's body ended, and stay alive until the grader has looked.

    While this process lives, a socket the script did not close cannot have sent its FIN; so the
    grader, holding us here, tells a real close from a merely reported one.
    """
    _send(ctrl, "E", kind, exc_type, detail)
    ack.acquire(timeout=ACK_WAIT_S)


def _print_exception(exc, script):
    """Print the traceback as ``python script.py`` would, without this file's frames."""
    import traceback

    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    for part in (te, te.__cause__, te.__context__):
        if part is not None:
            part.stack = traceback.StackSummary.from_list(
                [f for f in part.stack if f.filename != __file__ and "runpy" not in f.filename]
            )
    sys.stderr.write("".join(te.format()))
    sys.stderr.flush()


def main():
    ctrl_fd = int(sys.argv[1])
    mode = sys.argv[2]
    memory_mb, fsize_mb, nofile, cpu_s, nproc = (int(x) for x in sys.argv[3].split(","))
    script = sys.argv[4]
    del sys.argv[:4]  # the script sees argv == [script], as under ``python script.py``

    ctrl = _socket.socket(fileno=ctrl_fd)
    os.set_inheritable(ctrl_fd, False)
    ns_mode = mode.startswith("ns")
    if mode == "ns-up":
        _listen_here(ctrl)
    elif mode == "ns-down":
        _bring_up_loopback()
    route = None
    if mode.startswith("route:"):
        route = tuple(int(p) for p in mode.split(":")[1:5])
    _install_hooks(ctrl, route)
    ack = _thread.allocate_lock()
    ack.acquire()
    _watch_grader(ctrl, ns_mode, ack)

    with open(script, "rb") as f:
        source = f.read()
    # As under ``python script.py``: the script's folder comes first on the import path.
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    module = type(sys)("__main__")
    module.__file__ = script
    module.__builtins__ = __builtins__
    module.__cached__ = None
    sys.modules["__main__"] = module
    _set_limits(memory_mb, fsize_mb, nofile, cpu_s, nproc if ns_mode else 0)
    _send(ctrl, "S")
    try:
        code = compile(source, script, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SystemExit as exc:
        status = exc.code
        _report_end(ctrl, ack, "exit", "SystemExit", "" if status is None else status)
        raise
    except BaseException as exc:
        _report_end(ctrl, ack, "exception", type(exc).__name__, str(exc)[:500])
        _print_exception(exc, script)
        sys.exit(1)
    _report_end(ctrl, ack, "ok", "", "")


if __name__ == "__main__":
    main()
