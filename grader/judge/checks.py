"""The checks: pure functions of one run's records and its spec.

Strategy: each check looks at the ``Observation`` (what the server saw, what the process did,
what the interpreter reported) and the ``RunSpec`` (what it should have done), and returns a
``Verdict``. Verdicts rest on the server side and the exit status; what the interpreter reported
(the address asked for, which call closed a socket) only explains a failure or tells *how* a
socket was closed, never makes bytes or an ending look right. The table ``CHECKS`` at the bottom
names each check, its title and the checks it depends on.
"""

from __future__ import annotations

import re
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


def exception_text(obs: Observation) -> str:
    end = obs.trace.end
    if end is not None and end.kind == "exception":
        text = f"{end.exc_type}: {end.detail}" if end.detail else end.exc_type
        return printable(text[:300])
    return ""


def address(host: str, port: str) -> str:
    """``host:port`` as a learner writes it; a malformed address (a list, no port) as given."""
    if not port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def elsewhere(obs: Observation) -> list[ConnectAttempt]:
    """Connect calls to any address but the lesson's (a call refused for its argument types,
    such as a port of 9090.0, asked for no address at all)."""
    return [
        a
        for a in obs.trace.attempts
        if not (a.host in LESSON_HOSTS and a.port == "9090")
        and a.outcome not in ("TypeError", "OverflowError")
    ]


def first_connection(obs: Observation) -> ConnectionRecord | None:
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
                where = address(asked.host, asked.port)
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
    other = elsewhere(obs)
    if other:
        where = address(other[0].host, other[0].port)
        return Verdict(
            False,
            expected,
            f"no connection; the program asked for {where} ({other[0].outcome})",
            hint=hint("wrong_address", address=where),
        )
    if exc := exception_text(obs):
        return Verdict(
            False, expected, "no connection", hint=hint("crashed_before_connect", exception=exc)
        )
    if obs.process.timed_out:
        return Verdict(False, expected, "no connection", hint=hint("timeout_before_connect"))
    return Verdict(False, expected, "no connection", hint=hint("never_connected"))


# -- sent --------------------------------------------------------------------------------------
def sent_mismatch(run: RunSpec, obs: Observation) -> tuple[int, bytes, bytes] | None:
    """The first message that did not arrive as sent: (its index, what was wanted, what came).

    Index -1 is everything a listening-only server received; ``len(wants)`` is what came after
    the last reply. None when every message arrived exactly.
    """
    conn = first_connection(obs)
    got_all = conn.received if conn is not None else b""
    wants = run.expected_bytes
    if not wants or not run.replies:
        joined = b"".join(wants)
        return None if got_all == joined else (-1, joined, got_all)
    turns = conn.turns() if conn is not None else (b"",)
    for i, want in enumerate(wants):
        got = turns[i] if i < len(turns) else b""
        if got != want:
            return i, want, got
    extra = turns[len(wants)] if len(turns) > len(wants) else b""
    return (len(wants), b"", extra) if extra else None


def check_sent(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    wants = run.expected_bytes
    miss = sent_mismatch(run, obs)
    if miss is None:
        if not wants:
            return Verdict(True, "nothing: b''", "nothing: b''")
        shown_all = ", then ".join(literal(w) for w in wants)
        return Verdict(True, shown_all, shown_all)
    i, want, got = miss
    if i == len(wants):
        return Verdict(
            False, "nothing after the last reply: b''", "after the last reply: " + literal(got)
        )
    if not wants:
        shown = compare(b"", got)
        return Verdict(False, shown.expected, shown.observed, shown.marker)
    label = f"message {i + 1} of {len(wants)}: " if len(wants) > 1 and i >= 0 else ""
    shown = compare(want, got)
    marker = " " * len(label) + shown.marker if shown.marker else ""
    return Verdict(False, label + shown.expected, label + shown.observed, marker)


# -- output ------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """PROBLEMS.md: trailing whitespace of each line and of the whole output is forgiven."""
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def expected_output(run: RunSpec, obs: Observation) -> str:
    if run.output == "replies":
        return "\n".join(r.decode("utf-8") for conn in obs.wire.connections for r in conn.replies)
    return run.output


def check_output(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    raw = obs.process.stdout
    printed = normalise(raw.decode("utf-8", "replace"))
    expected = normalise(expected_output(run, obs))
    if printed == expected and not obs.process.output_overflow:
        return Verdict(True, literal(expected), literal(printed))
    # Shown as the terminal showed it: a backslash the program printed is one backslash.
    shown = compare(expected, printed, raw_backslash=True)
    # Cut output is only marked here: the hint says how long it grew.
    observed = shown.observed + (" (output too long)" if obs.process.output_overflow else "")
    return Verdict(False, shown.expected, observed, shown.marker)


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
_FILE_LINE = re.compile(r'^(\s*File ")[^"]*/([^"/]+")')


def short_paths(text: str) -> str:
    """``text`` with each traceback ``File "..."`` line naming the file alone, not its folders."""
    return "\n".join(_FILE_LINE.sub(r"\1\2", line) for line in text.split("\n"))


def _tail(stderr: bytes, lines: int = 6, width: int = 200) -> str:
    """The last lines of stderr, each cut to ``width`` and with control characters escaped.

    A traceback's file names are cut to the file's own name: the learner knows where it is.
    """
    text = stderr.decode("utf-8", "replace").rstrip()
    tail = [line for line in text.split("\n") if line != "Traceback (most recent call last):"]
    tail = tail[-lines:]
    return "\n".join(printable(_FILE_LINE.sub(r"\1\2", line)[:width]) for line in tail)


def check_clean_end(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    limit = f"{ctx.time_limit_s:g} s"
    expected = f"the program ends by itself within {limit}, with exit status 0"
    proc = obs.process
    exc = exception_text(obs)
    if proc.timed_out:
        return Verdict(False, expected, f"still running after {limit}; stopped")
    if proc.output_overflow:
        return Verdict(False, expected, f"stopped: output passed {ctx.output_kb} KiB")
    if exc:
        # The traceback's last line names the exception: said once, not twice.
        tail = _tail(proc.stderr)
        name = exc.split(":")[0]
        shown = f"an uncaught {name}:\n{tail}" if exc.split("\n")[0][:40] in tail else exc
        return Verdict(False, expected, shown if tail else f"an uncaught {exc}")
    if proc.signal is not None:
        return Verdict(False, expected, f"stopped by signal {signal_name(proc.signal)}")
    if proc.exit_code != 0:
        tail = _tail(proc.stderr)
        observed = f"exit status {proc.exit_code}" + (f"\n{tail}" if tail else "")
        return Verdict(False, expected, observed)
    return Verdict(True, expected, f"ended in {proc.duration_s:.2f} s with exit status 0")


def signal_name(number: int) -> str:
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
