"""The checks: pure functions of one run's records and its spec.

Strategy: each check looks at the ``Observation`` (what the server saw, what the process did,
what the interpreter reported) and the ``RunSpec`` (what it should have done), and returns a
``Verdict``. Verdicts rest on the server side and the exit status; what the interpreter reported
(the address asked for, which call closed a socket) only explains a failure or tells *how* a
socket was closed, never makes bytes or an ending look right. The table ``CHECKS`` at the bottom
names each check, its title and the checks it depends on.
"""

from __future__ import annotations

import signal as signals
from collections.abc import Callable
from dataclasses import dataclass

from grader.judge.hints import Hint, hint
from grader.judge.with_blocks import socket_with_spans
from grader.observe.records import (
    ConnectAttempt,
    ConnectionRecord,
    Observation,
    SocketClose,
    SocketState,
)
from grader.problem.spec import RunSpec
from grader.show import compare, literal, plural, printable

LESSON_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Context:
    """What the checks need beyond the records: the limits in force for this grading."""

    time_limit_s: float
    output_kb: int
    memory_mb: int
    source: bytes = b""  # the script's source: where its with blocks are


@dataclass(frozen=True)
class Verdict:
    passed: bool
    expected: str = ""
    observed: str = ""
    marker: str = ""
    hint: Hint | None = None


def _exception(obs: Observation) -> str:
    end = obs.trace.end
    if end is not None and end.kind == "exception":
        text = f"{end.exc_type}: {end.detail}" if end.detail else end.exc_type
        return printable(text[:300])
    return ""


def _address(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _elsewhere(obs: Observation) -> list[ConnectAttempt]:
    """Connect calls to any address but the lesson's (a call refused for its argument types,
    such as a port of 9090.0, asked for no address at all)."""
    return [
        a
        for a in obs.trace.attempts
        if not (a.host in LESSON_HOSTS and a.port == "9090")
        and a.outcome not in ("TypeError", "OverflowError")
    ]


def _connection(obs: Observation) -> ConnectionRecord | None:
    return obs.wire.connections[0] if obs.wire.connections else None


# -- connected ---------------------------------------------------------------------------------
def check_connected(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    want = run.connections
    conns = obs.wire.connections
    expected = f"{plural(want, 'connection')} to 127.0.0.1:9090"
    count = f"{len(conns)}{' or more' if obs.wire.over_cap else ''}"
    if len(conns) == want and not obs.wire.over_cap:
        by_port = {a.local_port: a for a in obs.trace.attempts if a.local_port is not None}
        for conn in conns:
            asked = by_port.get(conn.peer_port)
            if asked is not None and asked.host not in LESSON_HOSTS:
                where = _address(asked.host, asked.port)
                return Verdict(
                    False,
                    expected,
                    f"a connection to {where}",
                    hint=hint("bad_host", address=where),
                )
        return Verdict(
            True, expected, f"{count} {'connection' if len(conns) == 1 else 'connections'}"
        )
    if len(conns) > want or obs.wire.over_cap:
        return Verdict(False, expected, f"{count} connections", hint=hint("too_many_connections"))
    elsewhere = _elsewhere(obs)
    if elsewhere:
        where = _address(elsewhere[0].host, elsewhere[0].port)
        return Verdict(
            False,
            expected,
            f"no connection; the program asked for {where} ({elsewhere[0].outcome})",
            hint=hint("wrong_address", address=where),
        )
    if exc := _exception(obs):
        return Verdict(
            False, expected, "no connection", hint=hint("crashed_before_connect", exception=exc)
        )
    if obs.process.timed_out:
        return Verdict(False, expected, "no connection", hint=hint("timeout_before_connect"))
    return Verdict(False, expected, "no connection", hint=hint("never_connected"))


# -- sent --------------------------------------------------------------------------------------
_ENCODINGS = ("latin-1", "cp1252", "cp1251", "utf-16", "utf-16-le", "ascii")


def _sent_hint(want: bytes, got: bytes, run: RunSpec, obs: Observation) -> Hint:
    exc = _exception(obs)
    if not got:
        if (
            "bytes-like object is required" in exc
            or "bytes-like object is required" in obs.process.stderr.decode("utf-8", "replace")
        ):
            return hint("send_str")
        if exc.startswith("UnicodeEncodeError"):
            return hint("encode_error", exception=exc, encoding="that codec")
        if exc:
            return hint("sent_nothing_crash", exception=exc)
        if obs.process.timed_out:
            return hint("sent_nothing_timeout")
        return hint("sent_nothing")
    for newline in (b"\r\n", b"\n"):
        if got == want + newline:
            return hint("trailing_newline", newline=literal(newline))
    text = want.decode("utf-8")
    for encoding in _ENCODINGS:
        try:
            if text.encode(encoding) == got and encoding != "utf-8":
                return hint("wrong_encoding", encoding=encoding)
        except UnicodeEncodeError:
            pass
    if got in (repr(want).encode(), str(want).encode()):
        return hint("sent_repr")
    if want and got == want * (len(got) // len(want)) and len(got) > len(want):
        return hint("sent_twice")
    if got.startswith(want):
        return hint("sent_extra")
    if want.startswith(got):
        return hint("sent_short")
    if got.lower() == want.lower():
        return hint("sent_case")
    if run.stdin:
        return hint("sent_different")
    return hint("sent_constant", message=literal(want))


def check_sent(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    conn = _connection(obs)
    got_all = conn.received if conn is not None else b""
    wants = run.expected_bytes
    if not wants:
        if not got_all:
            return Verdict(True, "nothing: b''", "nothing: b''")
        shown = compare(b"", got_all)
        return Verdict(
            False, shown.expected, shown.observed, shown.marker, hint("sent_something_p1")
        )
    if not run.replies:
        # A server that only listens: everything that arrived is one message.
        joined = b"".join(wants)
        if got_all == joined:
            return Verdict(True, literal(joined), literal(got_all))
        shown = compare(joined, got_all)
        tip = _sent_hint(joined, got_all, run, obs)
        return Verdict(False, shown.expected, shown.observed, shown.marker, tip)
    turns = conn.turns() if conn is not None else (b"",)
    for i, want in enumerate(wants):
        got = turns[i] if i < len(turns) else b""
        if got == want:
            continue
        label = f"message {i + 1} of {len(wants)}: " if len(wants) > 1 else ""
        shown = compare(want, got)
        tip = _sent_hint(want, got, run, obs)
        if i + 1 < len(wants) and got.startswith(want + wants[i + 1][:1]):
            tip = hint("sent_before_reply")
        marker = " " * len(label) + shown.marker if shown.marker else ""
        return Verdict(False, label + shown.expected, label + shown.observed, marker, tip)
    extra = turns[len(wants)] if len(turns) > len(wants) else b""
    if extra:
        return Verdict(
            False,
            "nothing after the last reply: b''",
            "after the last reply: " + literal(extra),
            hint=hint("after_last_reply"),
        )
    shown_all = ", then ".join(literal(w) for w in wants)
    return Verdict(True, shown_all, shown_all)


# -- output ------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """PROBLEMS.md: trailing whitespace of each line and of the whole output is forgiven."""
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def _expected_output(run: RunSpec, obs: Observation) -> str:
    if run.output == "replies":
        return "\n".join(r.decode("utf-8") for conn in obs.wire.connections for r in conn.replies)
    return run.output


def _output_hint(expected: str, printed: str, run: RunSpec, obs: Observation, ctx: Context) -> Hint:
    exc = _exception(obs)
    replies = [r for conn in obs.wire.connections for r in conn.replies]
    if obs.process.output_overflow:
        return hint("output_too_long", limit=f"{ctx.output_kb} KiB")
    if not run.replies and not obs.wire.server_up:
        if exc.startswith(("ConnectionRefusedError", "ConnectionError", "OSError")):
            return hint("refused_unhandled")
        if printed.lower().strip(" .!") == "connection refused":
            return hint("refused_exactly")
        if "Errno 111" in printed or "refused" in printed.lower():
            return hint("refused_exception_text")
        if exc:
            return hint("printed_nothing_crash", exception=exc)
        return hint("refused_exactly")
    if "Connection refused" in printed:
        return hint("refused_when_up")
    if not printed:
        if exc:
            return hint("printed_nothing_crash", exception=exc)
        return hint("printed_nothing")
    if replies and printed in (
        normalise("\n".join(repr(r) for r in replies)),
        repr(b"".join(replies)),
    ):
        return hint("printed_bytes")
    if "b'" in printed or 'b"' in printed:
        return hint("printed_bytes")
    if "\ufffd" in printed and "\ufffd" not in expected:
        return hint("output_not_utf8")
    if (
        len(replies) > 1
        and printed.replace("\n", "") == expected.replace("\n", "")
        or (
            len(replies) > 1
            and printed.count("\n") < expected.count("\n")
            and all(r.decode("utf-8") in printed for r in replies)
        )
    ):
        return hint("replies_one_line")
    if expected and expected in printed:
        return hint("extra_output")
    for enc in ("latin-1", "cp1252", "cp1251"):
        if replies and printed == "\n".join(r.decode(enc, "replace") for r in replies):
            return hint("decoded_wrong")
    if exc:
        return hint("printed_nothing_crash", exception=exc)
    return hint("output_differs")


def check_output(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    raw = obs.process.stdout
    printed = normalise(raw.decode("utf-8", "replace"))
    expected = normalise(_expected_output(run, obs))
    if printed == expected and not obs.process.output_overflow:
        return Verdict(True, literal(expected), literal(printed))
    shown = compare(expected, printed)
    observed = shown.observed + (" … (cut: output too long)" if obs.process.output_overflow else "")
    tip = _output_hint(expected, printed, run, obs, ctx)
    return Verdict(False, shown.expected, observed, shown.marker, tip)


# -- closed ------------------------------------------------------------------------------------
def _closed_with_block(closes: list[SocketClose], source: bytes) -> bool:
    """A with block over a socket ended: reported at runtime, at a with statement in the source."""
    spans = socket_with_spans(source)
    for close in closes:
        if close.how == "close" or close.at is None:
            continue
        at = close.at
        if at.col is None:
            if any(span[0] == at.line for span in spans):
                return True
        elif (at.line, at.end_line, at.col, at.end_col) in spans:
            return True
    return False


def _held(state: SocketState, conn: ConnectionRecord, closes: list[SocketClose], pid: int) -> str:
    """Why a socket the kernel still showed held at exit was not closed, from the evidence."""
    if conn.ended_while_running and conn.end == "fin":
        return "shutdown_not_close"
    others = [p for p in state.holders if p != pid]
    if others:
        return "held_by_child"
    if closes:
        return "still_held"
    return "never_closed"


_HELD_OBSERVED = {
    "shutdown_not_close": (
        "the server saw FIN, but the socket was still open in the program when it exited "
        "(shutdown() ends sending; it does not close the socket)"
    ),
    "held_by_child": "the socket was still open in another process of the program when it exited",
    "still_held": (
        "close() was called, but the socket was still open when the program exited "
        "(another descriptor of it, from dup() or makefile(), kept it open)"
    ),
    "never_closed": "still open when the program exited; the connection ended only at interpreter exit",
}


def check_closed(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    """Closed by the script itself, as the kernel showed at exit, with a FIN the server saw.

    The proof is from outside the script's process: while its interpreter was held at exit,
    the connection's socket was released by every process of the run, and the server had its
    FIN. What the interpreter reported (close(), a with block) says only how.
    """
    wanted = "with" if run.close == "with" else "script"
    expected = (
        "the program closes its socket by leaving its with block; the server sees FIN"
        if wanted == "with"
        else "the program closes its socket (close() or a with block); the server sees FIN"
    )
    view = obs.sockets
    for conn in obs.wire.connections:
        port = conn.peer_port
        closes = [c for c in obs.trace.closes if c.local_port == port]
        if conn.end == "open":
            return Verdict(
                False,
                expected,
                "still open when the time limit stopped the program",
                hint=hint("open_at_timeout"),
            )
        state = view.socket(port) if view is not None and view.readable else None
        if view is None or state is None:
            unseen = (
                "the program did not reach a normal exit (it was ended by a signal?), so "
                "whether it closed its socket could not be seen"
                if view is None
                else "the kernel's view of the program's sockets could not be read"
            )
            return Verdict(False, expected, unseen, hint=hint("not_observed"))
        if state.held:
            key = _held(state, conn, closes, view.script_pid)
            return Verdict(False, expected, _HELD_OBSERVED[key], hint=hint(key))
        if not closes:
            made = any(a.local_port == port for a in obs.trace.attempts)
            observed = (
                "the script never closed it: the interpreter discarded the socket once "
                "nothing referred to it (no close(), no with block)"
                if made
                else "closed, but not through the socket module of the script's interpreter "
                "(no connect() call of it made this connection)"
            )
            return Verdict(
                False, expected, observed, hint=hint("never_closed" if made else "not_observed")
            )
        if not conn.ended_while_running:
            return Verdict(
                False,
                expected,
                "no FIN reached the server while the program ran; it ended only at interpreter exit",
                hint=hint("never_closed"),
            )
        with_block = _closed_with_block(closes, ctx.source)
        if wanted == "with" and not with_block:
            by_hand = any(c.how == "exit" for c in closes)
            return Verdict(
                False,
                expected,
                "closed by calling __exit__() by hand, not by leaving a with block"
                if by_hand
                else "closed with close(), outside any with block",
                hint=hint("exit_by_hand" if by_hand else "not_with"),
            )
        if conn.end == "rst":
            how = "leaving the with block" if with_block else "close()"
            return Verdict(
                False,
                expected,
                f"closed by {how}, but the server saw a reset (RST)",
                hint=hint("reset"),
            )
    how = "leaving its with block" if wanted == "with" else "the program"
    return Verdict(True, expected, f"closed by {how}; the server saw FIN")


# -- the control channel -----------------------------------------------------------------------
def check_untampered(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    """The program left the grader's control channel alone (judged in every run)."""
    expected = "the program does not write to the grader's control channel"
    trace = obs.trace
    if not trace.tampering_count:
        return Verdict(True, expected, "nothing written to it")
    first = trace.tampering[0]
    more = trace.tampering_count - 1
    observed = (
        f"the program wrote to the grader's control channel: {first.what}, "
        f"{literal(first.sample)}" + (f" (and {plural(more, 'more datagram')})" if more else "")
    )
    return Verdict(False, expected, observed, hint=hint("tampered"))


# -- clean end ---------------------------------------------------------------------------------
def _doing(obs: Observation) -> str:
    """What the program was doing when it was stopped, from what the server saw."""
    if obs.trace.end is not None:
        return (
            "its script had run to the end, but the interpreter did not exit: a non-daemon "
            "thread still running, or a child process it waits for?"
        )
    conn = _connection(obs)
    if conn is None:
        if any(a.outcome != "connected" for a in obs.trace.attempts):
            return "its connection had failed, and it went on waiting or looping"
        return "it had not connected (waiting for input, or looping before connect()?)"
    if not conn.received:
        return (
            "it was connected but had sent nothing, probably waiting in recv() for a reply "
            "to a message it had not sent"
        )
    if conn.replies and conn.segments[-1].direction == "out":
        return (
            "it had received the reply and kept going: a loop, a sleep, or another recv() "
            "waiting for data that never comes?"
        )
    if not conn.replies:
        return "it had sent its data and was waiting (for a reply the server does not send?)"
    return "it had sent data and was waiting; the server replies once a whole message has arrived"


def _tail(stderr: bytes, lines: int = 6, width: int = 200) -> str:
    """The last lines of stderr, each cut to ``width`` and with control characters escaped."""
    text = stderr.decode("utf-8", "replace").rstrip()
    return "\n".join(printable(line[:width]) for line in text.split("\n")[-lines:])


def check_clean_end(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    limit = f"{ctx.time_limit_s:g} s"
    expected = f"the program ends by itself within {limit}, with exit status 0"
    proc = obs.process
    exc = _exception(obs)
    if proc.timed_out:
        return Verdict(
            False,
            expected,
            f"still running after {limit}; stopped",
            hint=hint("timeout", limit=limit, doing=_doing(obs)),
        )
    if proc.output_overflow:
        return Verdict(
            False,
            expected,
            f"stopped: output passed {ctx.output_kb} KiB",
            hint=hint("output_too_long", limit=f"{ctx.output_kb} KiB"),
        )
    if exc:
        observed = f"an uncaught {exc}\n{_tail(proc.stderr)}"
        name = exc.split(":")[0]
        elsewhere = _elsewhere(obs)
        if name == "ConnectionRefusedError" and elsewhere:
            where = _address(elsewhere[0].host, elsewhere[0].port)
            tip = hint("wrong_address", address=where)
        elif name == "ConnectionRefusedError":
            tip = hint("refused_unhandled")
        elif "bytes-like object is required" in exc:
            tip = hint("send_str")
        elif name.startswith("Unicode"):
            tip = hint("encode_error", exception=exc, encoding="that codec")
        elif name == "EOFError":
            tip = hint("eof")
        elif name == "MemoryError":
            tip = hint("memory", limit=f"{ctx.memory_mb} MiB")
        elif name == "ValueError" and "int()" in exc:
            tip = hint("value_error", exception=exc)
        else:
            tip = hint("exception")
        return Verdict(False, expected, observed, hint=tip)
    if proc.signal is not None:
        name = _signal_name(proc.signal)
        tip = (
            hint("memory", limit=f"{ctx.memory_mb} MiB")
            if proc.signal in (signals.SIGSEGV, signals.SIGABRT)
            else hint("signal", signal=name)
        )
        return Verdict(False, expected, f"stopped by signal {name}", hint=tip)
    if proc.exit_code != 0:
        tail = _tail(proc.stderr)
        observed = f"exit status {proc.exit_code}" + (f"\n{tail}" if tail else "")
        return Verdict(False, expected, observed, hint=hint("exit_status", status=proc.exit_code))
    return Verdict(True, expected, f"ended in {proc.duration_s:.2f} s with exit status 0")


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return str(number)


@dataclass(frozen=True)
class CheckKind:
    """A row of the check table: how to title it, what it needs, how to judge it."""

    title: Callable[[RunSpec, float], str]
    depends_on: tuple[str, ...]
    judge: Callable[[RunSpec, Observation, Context], Verdict]


def _title_sent(run: RunSpec, _limit: float) -> str:
    if not run.messages:
        return "sends nothing"
    if len(run.messages) == 1:
        message = run.expected_bytes[0]
        short = message.isascii() and len(message) <= 30 and not run.stdin
        return f"sends exactly {literal(message)}" if short else "sends the message exactly"
    return "sends each message exactly, one at a time, after the previous reply"


def _title_output(run: RunSpec, _limit: float) -> str:
    if run.output == "replies":
        return "prints the replies, one per line" if len(run.messages) > 1 else "prints the reply"
    return f"prints exactly {run.output!r}"


CHECKS: dict[str, CheckKind] = {
    "connected": CheckKind(
        lambda run, _l: (
            "makes no connection" if run.connections == 0 else "connects once to 127.0.0.1:9090"
        ),
        (),
        check_connected,
    ),
    "sent": CheckKind(_title_sent, ("connected",), check_sent),
    "output": CheckKind(_title_output, ("sent",), check_output),
    "closed": CheckKind(
        lambda run, _l: (
            "closes the connection by leaving its with block"
            if run.close == "with"
            else "closes the connection itself"
        ),
        ("sent",),
        check_closed,
    ),
    "clean_end": CheckKind(
        lambda _run, limit: f"ends cleanly within {limit:g} s", (), check_clean_end
    ),
    # Judged in every run, and shown only when it fails: a program that writes to the
    # grader's channel fails in plain words, whatever else it did.
    "untampered": CheckKind(
        lambda _run, _l: "leaves the grader's control channel alone", (), check_untampered
    ),
}
ALWAYS_JUDGED = ("untampered",)
