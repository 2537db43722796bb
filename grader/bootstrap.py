"""The code that runs in the learner's interpreter, before and around the learner's script.

Strategy: the grader starts this file once as a worker, the zygote (``zygote`` at the bottom),
which imports only the standard library and forks one child per run (see ``grader.runner``).
In each child, before the script runs, ``run_script``

1. applies the resource limits (memory, file size, open files, CPU, processes);
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
    script's connections ended (see ``_report_exit``).
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


def _report_exit(ctrl, ack):
    """Say the interpreter is about to exit, and stay alive until the grader has looked.

    While this process lives, a socket the script did not close cannot have sent its FIN; so the
    grader, holding us here, tells a real close from a merely reported one.
    """
    _send(ctrl, "Z")
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


def run_script(ctrl_fd, mode, limits, script):
    """Set up the run (namespace network or routing, hooks, limits) and run the script."""
    memory_mb, fsize_mb, nofile, cpu_s, nproc = (int(x) for x in limits.split(","))
    sys.argv[:] = [script]  # as under ``python script.py``

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
    code = _run_body(ctrl, source, script, module)
    _finish(ctrl, ack, code)


def _run_body(ctrl, source, script, module):
    """Run the script's code; report how it ended; return the exit status Python would give."""
    try:
        exec(compile(source, script, "exec", dont_inherit=True), module.__dict__)
    except SystemExit as exc:
        status = exc.code
        _send(ctrl, "E", "exit", "SystemExit", "" if status is None else status)
        if status is None or isinstance(status, int):
            return status or 0
        sys.stderr.write(f"{status}\n")  # as Python does with sys.exit("message")
        return 1
    except BaseException as exc:
        _send(ctrl, "E", "exception", type(exc).__name__, str(exc)[:500])
        _print_exception(exc, script)
        return 1
    _send(ctrl, "E", "ok", "", "")
    return 0


def _finish(ctrl, ack, code):
    """End as the interpreter would: wait for threads, run atexit, flush, exit with ``code``."""
    import threading

    try:
        threading._shutdown()  # non-daemon threads keep the program alive, as at a normal exit
    except BaseException:
        pass
    import atexit

    atexit._run_exitfuncs()
    _report_exit(ctrl, ack)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            code = code or 120  # as Python does when stdout cannot be flushed at exit
    os._exit(code)


# -- the zygote ---------------------------------------------------------------------------------
# A warm interpreter that forks one child per run: a run costs a fork, not an interpreter start.
# Every child is a copy of the pristine zygote, never of an earlier run, so nothing a script does
# reaches the next one. In namespace mode each child enters fresh user, network, PID and mount
# namespaces itself, with the file system read-only but for its scratch folder.

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = (
    1,
    2,
    4,
    8,
    4096,
    16384,
    1 << 18,
)
MOUNT_ATTR_RDONLY, AT_RECURSIVE, AT_FDCWD, SYS_MOUNT_SETATTR = 1, 0x8000, -100, 442
PR_SET_PDEATHSIG = 1
FDS_PER_RUN = 5  # stdin, stdout, stderr, control, status


class _Kernel:
    """The few system calls Python 3.11's os module lacks, through ctypes (loaded once)."""

    def __init__(self):
        import ctypes

        self.ctypes = ctypes
        self.libc = ctypes.CDLL(None, use_errno=True)

    def _check(self, result, what):
        if result != 0:
            errno = self.ctypes.get_errno()
            raise OSError(errno, f"{what}: {os.strerror(errno)}")

    def unshare(self, flags):
        self._check(self.libc.unshare(flags), "unshare")

    def mount(self, source, target, fstype, flags):
        enc = lambda v: None if v is None else os.fsencode(v)  # noqa: E731
        self._check(self.libc.mount(enc(source), enc(target), enc(fstype), flags, None), "mount")

    def set_readonly(self, path, readonly, recursive):
        attr = self.ctypes.c_uint64 * 4  # struct mount_attr: set, clr, propagation, userns_fd
        value = attr(MOUNT_ATTR_RDONLY, 0, 0, 0) if readonly else attr(0, MOUNT_ATTR_RDONLY, 0, 0)
        flags = AT_RECURSIVE if recursive else 0
        result = self.libc.syscall(
            SYS_MOUNT_SETATTR, AT_FDCWD, os.fsencode(path), flags, self.ctypes.byref(value), 32
        )
        self._check(result, "mount_setattr")

    def die_with_parent(self):
        self._check(self.libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), "prctl")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _enter_namespaces(kernel):
    """Become root of new user, network, PID and mount namespaces (PID: for our children)."""
    uid, gid = os.getuid(), os.getgid()
    kernel.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")


def _seal_file_system(kernel, scratch):
    """Everything read-only but the scratch folder and /dev; a /proc of this PID namespace."""
    import errno

    kernel.mount(None, "/", None, MS_REC | MS_PRIVATE)
    kernel.mount(scratch, scratch, None, MS_BIND | MS_REC)
    try:
        kernel.set_readonly("/", True, recursive=True)
    except OSError as exc:
        if exc.errno != errno.ENOSYS:
            raise
        # Linux before 5.12 has no mount_setattr: namespaces still isolate network and
        # processes, but the files stay writable (the README says so).
    else:
        kernel.set_readonly(scratch, False, recursive=True)
        if os.path.ismount("/dev"):
            kernel.set_readonly("/dev", False, recursive=False)  # /dev/null stays writable
    kernel.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _exit_like(status):
    """End this process the way the child with wait ``status`` ended."""
    import signal

    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _place_fds(fds):
    """Put the run's descriptors at 0-4 and close every other one the zygote had."""
    import fcntl

    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in fds]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target < 3)
    os.closerange(FDS_PER_RUN, 1 << 20)


def _child(kernel, payload, fds, forget, namespaces):
    """One run: arrange the process, enter the namespaces, then fork PID 1 to run the script."""
    for sock in forget:
        sock.detach()  # the zygote's own sockets: their numbers are closed below, never reused
    _place_fds(fds)
    status = _socket.socket(fileno=4)
    os.set_inheritable(4, False)
    mode, limits, script, cwd, *env = payload.decode("utf-8", "surrogateescape").split("\0")
    os.setsid()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(item.split("=", 1) for item in env if "=" in item)
    if not namespaces:
        status.close()
        run_script(3, mode, limits, script)
    try:
        _enter_namespaces(kernel)
    except OSError as exc:
        _send(status, "F", str(exc))
        os._exit(125)
    pid = os.fork()
    if pid == 0:
        status.close()  # the status channel is A's and the zygote's, never the script's
        try:
            kernel.die_with_parent()
            _seal_file_system(kernel, cwd)
            os.chdir(cwd)  # onto the writable bind mount, not the read-only folder beneath it
        except OSError as exc:
            os.write(2, f"grader: cannot prepare the run: {exc}\n".encode())
            os._exit(125)
        run_script(3, mode, limits, script)
    _send(status, "B", pid)
    status.close()
    for fd in (0, 1, 2, 3):
        os.close(fd)  # only the script's process holds its streams and its control channel
    _exit_like(os.waitpid(pid, 0)[1])


def _probe(kernel):
    """Whether a child can enter the namespaces and seal its file system on this machine."""
    pid = os.fork()
    if pid == 0:
        try:
            _enter_namespaces(kernel)
            inner = os.fork()
            if inner == 0:
                try:
                    _seal_file_system(kernel, "/tmp")
                except BaseException:
                    os._exit(1)
                os._exit(0)
            os._exit(os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1]))
        except BaseException:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0


def zygote(chan_fd, wanted):
    """Serve runs: one datagram (payload and five descriptors) in, one forked child out."""
    import array
    import select

    kernel = _Kernel()
    chan = _socket.socket(fileno=chan_fd)
    namespaces = wanted != "routed" and _probe(kernel)
    chan.send(b"R\t" + (b"namespace" if namespaces else b"routed"))
    poller = select.poll()
    poller.register(chan_fd, select.POLLIN)
    children = {}  # pidfd -> (pid, status socket)
    space = _socket.CMSG_SPACE(FDS_PER_RUN * 4)
    while True:
        for fd, _events in poller.poll():
            if fd != chan_fd:
                pid, status = children.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                _send(status, "X", os.waitpid(pid, 0)[1])
                status.close()
                continue
            data, ancdata, _flags, _addr = chan.recvmsg(65536, space)
            fds = array.array("i")
            for level, kind, payload in ancdata:
                if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                    fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            if not data:
                os._exit(0)  # the grader is gone; running children end by their own watchdogs
            if len(fds) != FDS_PER_RUN:
                for f in fds:
                    os.close(f)
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    forget = [chan] + [s for _p, s in children.values()]
                    _child(kernel, data, list(fds), forget, namespaces)
                finally:
                    os._exit(125)
            for f in fds[:-1]:
                os.close(f)
            status = _socket.socket(fileno=fds[-1])
            pidfd = os.pidfd_open(pid)
            poller.register(pidfd, select.POLLIN)
            children[pidfd] = (pid, status)
            _send(status, "A", pid)


if __name__ == "__main__":
    zygote(int(sys.argv[1]), sys.argv[2])
