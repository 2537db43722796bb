"""The run's supervisor: starts the script's process, holds it at its exit, ends the run.

Strategy: a verdict rests only on what is seen from outside the learner's processes, so the
moment "the script is exiting" is the kernel's to tell, never the script's. The supervisor (PID 1
of the run's PID namespace; in routed mode the run's first process) forks the script's process
and seizes it with ptrace (``PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL``) before a line of the
learner's code runs. However that process ends (its body returns or raises, ``sys.exit``,
``os._exit`` from any thread, a signal, SIGKILL included), the kernel stops it inside its exit,
before its descriptors are released, and gives its status. The supervisor tells the grader
(``H``), waits for its word (``K``) while the grader looks at the run's sockets, lets the
process go, reaps it and tells its wait status (``W``). Signals sent to the script are passed on
as they came, so the script sees what it would untraced; its threads and children are not
traced. When the script's process is gone the run is over: whatever it left running is killed
(in namespace mode the kernel does it as PID 1 exits; in routed mode the supervisor is a child
subreaper and kills every orphan that reaches it).

The status channel (``grader.observe.process`` reads it) is never held by the script's process.
Messages, tab-separated, one datagram each:
  ``P``  + descriptors: a pidfd of the script's process, a ``NETLINK_SOCK_DIAG`` socket of the
         run's network namespace, then the run's listeners (if any); ``P tap``: the third
         descriptor is a packet socket on the run's loopback, the listeners follow it
  ``H status``  the script's process is stopped in its exit with this wait status
  ``W status``  the script's process is gone, with this wait status
  ``F step: error``  the run could not be set up
and from the grader: ``K`` (looked: let it go), ``T`` (time is up: end the run).
"""

import _socket
import os
import select
import signal

from grader.sandbox import fds as descriptors
from grader.sandbox.channel import send

PTRACE_CONT, PTRACE_SEIZE, PTRACE_GETEVENTMSG, PTRACE_LISTEN = 7, 0x4206, 0x4201, 0x4208
PTRACE_O_TRACEEXIT, PTRACE_O_EXITKILL = 0x40, 0x100000
PTRACE_EVENT_EXIT, PTRACE_EVENT_STOP = 6, 128
WALL = 0x40000000
PR_SET_CHILD_SUBREAPER = 36
RELEASE_WAIT_S = 10.0  # a bound only: the grader answers at once, or within its own short wait
NETLINK_SOCK_DIAG = 4
END_WAIT_S = 5.0  # how long orphans may take to be gone once killed (routed mode)


class Tracer:
    """The few ptrace requests the supervisor makes, through libc (loaded once)."""

    def __init__(self, kernel):
        ctypes = kernel.ctypes
        self.ctypes = ctypes
        self.ptrace = kernel.libc.ptrace
        self.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
        self.ptrace.restype = ctypes.c_long

    def seize(self, pid):
        options = PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL
        if self.ptrace(PTRACE_SEIZE, pid, None, self.ctypes.c_void_p(options)) != 0:
            errno = self.ctypes.get_errno()
            raise OSError(errno, f"ptrace(PTRACE_SEIZE): {os.strerror(errno)}")

    def status_at_exit(self, pid):
        message = self.ctypes.c_ulong()
        self.ptrace(PTRACE_GETEVENTMSG, pid, None, self.ctypes.byref(message))
        return message.value & 0xFFFFFFFF

    def resume(self, pid, sig=0):
        self.ptrace(PTRACE_CONT, pid, None, self.ctypes.c_void_p(sig))  # ESRCH: gone already

    def listen(self, pid):
        self.ptrace(PTRACE_LISTEN, pid, None, None)


GROUP_STOPS = (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)
SIGKILL_BIT = 1 << (signal.SIGKILL - 1)
PF_EXITING = 0x4  # a task's flags in /proc/<pid>/stat: it is in its exit
GROUP_EXIT_WAIT_S = 0.2  # how long the first thread's exit may wait for the rest to show theirs


def _others_leaving(pid):
    """Whether every thread of process ``pid`` but its first is gone or leaving.

    A process exits as one (``exit_group``, a fatal signal) by killing its other threads: each
    is then gone, dying, in its exit, or has SIGKILL pending. A thread running without any of
    these means only the first thread is leaving (the bare exit call, or an exec from another
    thread), and the process goes on.
    """
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return True
    for tid in threads:
        if tid == str(pid):
            continue
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                pending = next((line for line in f if line.startswith("SigPnd:")), "SigPnd: 0")
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(b")") + 2 :].split()
        state, flags = fields[0], int(fields[6])
        if state in (b"Z", b"X") or flags & PF_EXITING:
            continue
        if not int(pending.split(":")[1].strip() or "0", 16) & SIGKILL_BIT:
            return False
    return True


def group_exiting(pid):
    """Whether the whole process is leaving, seen from its first thread's exit stop.

    The thread that called ``exit_group`` marks itself as exiting a moment after it has killed
    the others, so a running thread is looked at again, for a bounded moment, before the exit
    is taken for the first thread's alone.
    """
    import time

    until = time.monotonic() + GROUP_EXIT_WAIT_S
    while not _others_leaving(pid):
        if time.monotonic() >= until:
            return False
        select.select([], [], [], 0.001)
    return True


def _children():
    """This process's children now."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def end_orphans():
    """Kill every process left under this one (a subreaper) and reap it; bounded."""
    import time

    until = time.monotonic() + END_WAIT_S
    while time.monotonic() < until:
        left = _children()
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG | WALL)[0]:
                pass
        except ChildProcessError:
            return
        if _children():
            select.select([], [], [], 0.005)  # killed tasks take a moment to become zombies


def python_signals():
    """Signals as a fresh ``python script.py`` has them, whatever the grader was started with
    (a service or a shell script may start it ignoring SIGINT or SIGTERM, and ignored signals
    are inherited): every one at its default, then Python's own, none blocked."""
    for sig in signal.valid_signals():
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError):
                pass  # one the C library keeps for itself (the first realtime ones)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


class Supervisor:
    """Runs one script's process under ptrace and reports its end on ``status``.

    ``fork`` makes the script's process and seizes it, which a prepared run does before its
    submission arrives; ``begin`` tells the grader (``P``) and hands the process its descriptors
    and words, which let it go.
    """

    def __init__(self, kernel, routed):
        self.kernel = kernel
        self.tracer = Tracer(kernel)
        self.status = None
        self.routed = routed
        self.script = 0
        self.script_fd = -1
        self.result = None
        self.hand = None

    def fork(self, child_main, forget=(), early=None):
        """Fork the script's process and seize it before a line of its code runs.

        The child holds nothing of this process's (``forget``: socket objects to let go of
        without closing another's number) and calls ``early()`` if given (what it may do before
        its run is known), until ``begin`` sends its descriptors, placed at 0-3, and its words:
        then it calls ``child_main(words)``, which never returns.
        """
        if self.routed:
            # Orphans of the run come here, not to the host's init: the run can end them all.
            import ctypes

            ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        ours = _socket.socket(fileno=descriptors.moved(ours.detach()))  # clear of 0-5
        pid = os.fork()
        if pid == 0:
            try:
                for sock in forget:
                    sock.detach()
                ours.close()
                descriptors.close_all_but([theirs.fileno()])
                # A session of its own: a signal to "its group" (kill(0, ...)) reaches the
                # script and what it started, never the processes that set the run up.
                os.setsid()
                python_signals()
                if early is not None:
                    early()
                words, fds = descriptors.receive(theirs, 1 << 16, 4)
                if len(fds) != 4:
                    os._exit(125)
                theirs.close()
                descriptors.place(fds)  # its streams and control channel at 0-3
            except BaseException:
                os._exit(125)
            child_main(words)
        theirs.close()
        self.script = pid
        self.hand = ours
        try:
            self.tracer.seize(pid)
            self.script_fd = descriptors.moved(os.pidfd_open(pid))
        except OSError:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise

    def begin(self, status, words, fds, listeners=(), tap=None):
        """Report the script's process (``P``), then hand it ``fds`` (its streams and control
        channel) and ``words``: from then on it runs.

        ``tap``, when given, is the run's packet socket: handed to the grader, never the script.
        """
        self.status = status
        if os.waitpid(self.script, os.WNOHANG | WALL)[0]:
            # Ended or stopped before its run began: only from outside, never the script's doing.
            send(status, "F", "the run's prepared process ended before its run began")
            os._exit(125)
        try:
            # Lookups of the run's sockets by the grader, in this network namespace.
            diag = _socket.socket(_socket.AF_NETLINK, _socket.SOCK_RAW, NETLINK_SOCK_DIAG)
            taps = [tap.fileno()] if tap is not None else []
            sent = [self.script_fd, diag.fileno(), *taps] + [s.fileno() for s in listeners]
            descriptors.send(status, b"P\ttap" if taps else b"P", sent)
            diag.close()
        except OSError as exc:
            send(status, "F", f"starting the script's process: {exc}")
            os.kill(self.script, signal.SIGKILL)
            os.waitpid(self.script, 0)
            os._exit(125)
        for sock in [*listeners, *([tap] if tap is not None else [])]:
            sock.close()
        # Children's changes wake the loop through this pipe (the handler itself does nothing).
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.wake = wake_r
        if not self.routed:
            self.kernel.set_undumpable()  # before the script runs: nothing of it may trace us
            # As PID 1 of the run, a signal from inside reaches it only through a handler:
            # Python's for SIGINT would raise KeyboardInterrupt here. Without, it is ignored.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            descriptors.send(self.hand, words, fds)
        except OSError as exc:
            send(status, "F", f"starting the script's process: {exc}")
            self._end_now()
        self.hand.close()

    def run(self):
        """Serve the script's stops until it is gone; report its status; return it.

        A failure of the supervisor itself is reported (``F``) and ends the run.
        """
        try:
            return self._run()
        except BaseException as exc:
            send(self.status, "F", f"supervising the script: {type(exc).__name__}: {exc}")
            self._end_now()

    def _run(self):
        poller = select.poll()
        poller.register(self.wake, select.POLLIN)
        poller.register(self.status.fileno(), select.POLLIN)
        while self.result is None:
            self._reap()
            if self.result is not None:
                break
            for fd, _events in poller.poll():
                if fd == self.wake:
                    os.read(self.wake, 512)
                elif not self._on_grader():
                    self._end_now()
        send(self.status, "W", self.result)
        return self.result

    def _reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | WALL)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid != self.script:
                continue  # an orphan of the run: reaped, nothing to tell
            if os.WIFSTOPPED(status):
                self._stopped(status)
            else:
                self.result = status
                return

    def _stopped(self, status):
        event = status >> 16
        if event == PTRACE_EVENT_EXIT and not group_exiting(self.script):
            # Only its first thread leaves (the bare exit call) or is replaced (exec from
            # another thread): the process goes on, and so does its time limit.
            self.tracer.resume(self.script)
        elif event == PTRACE_EVENT_EXIT:
            send(self.status, "H", self.tracer.status_at_exit(self.script))
            self._wait_release()
            self.tracer.resume(self.script)
        elif event == PTRACE_EVENT_STOP and os.WSTOPSIG(status) in GROUP_STOPS:
            self.tracer.listen(self.script)  # a group stop (SIGSTOP): stay stopped until SIGCONT
        elif event == PTRACE_EVENT_STOP:
            self.tracer.resume(self.script)  # the group stop's end (SIGCONT): go on
        else:
            self.tracer.resume(self.script, os.WSTOPSIG(status))  # pass the signal on

    def _wait_release(self):
        """Wait for the grader's ``K`` (bounded); a ``T`` or the grader's end ends the run."""
        poller = select.poll()
        poller.register(self.status.fileno(), select.POLLIN)
        if poller.poll(int(RELEASE_WAIT_S * 1000)) and not self._on_grader():
            self._end_now()

    def _on_grader(self):
        """Read one word from the grader; False when it is gone or says the time is up."""
        try:
            word = self.status.recv(16)
        except OSError:
            return False
        return word == b"K"

    def _end_now(self):
        """The grader is gone or the time is up: kill the script and everything it started."""
        try:
            signal.pidfd_send_signal(self.script_fd, signal.SIGKILL)
        except OSError:
            pass
        if self.routed:
            self._reap_killed()
            end_orphans()
        os._exit(137)

    def _reap_killed(self):
        """The killed script's process stops in its exit (it is traced): let it go and reap it.
        (PID 1's own exit does this in namespace mode.)"""
        for _ in range(100):  # a bound only: SIGKILL leaves it one stop, its exit's
            try:
                _pid, status = os.waitpid(self.script, WALL)
            except ChildProcessError:
                return
            if not os.WIFSTOPPED(status):
                return
            self.tracer.resume(self.script)
