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

from grader.judge.closing import check_closed
from grader.judge.hints import hint
from grader.judge.verdict import (
    Context,
    Verdict,
    address,
    elsewhere,
    exception_text,
    first_connection,
)
from grader.observe.records import ConnectAttempt, Observation
from grader.problem.spec import RunSpec
from grader.sandbox.lesson import LESSON_HOSTS, LESSON_PORT
from grader.show import compare, literal, plural, printable


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
    if not_tcp(obs):
        return Verdict(
            False,
            expected,
            "no connection reached the server, though connect() returned",
            hint=hint("not_tcp"),
        )
    if obs.process.timed_out:
        return Verdict(False, expected, "no connection", hint=hint("timeout_before_connect"))
    return Verdict(False, expected, "no connection", hint=hint("never_connected"))


def not_tcp(obs: Observation) -> list[ConnectAttempt]:
    """connect() calls to the lesson's address that returned, though the server saw no
    connection from them: not a TCP socket (a UDP connect() reaches no one)."""
    ports = {c.peer_port for c in obs.wire.connections}
    return [
        a
        for a in obs.trace.attempts
        if a.outcome == "connected"
        and a.host in LESSON_HOSTS
        and a.port == str(LESSON_PORT)
        and a.local_port not in ports
    ]


# -- sent --------------------------------------------------------------------------------------
def wanted(run: RunSpec, obs: Observation) -> tuple[bytes, ...]:
    """The messages this run wants, given the replies its server sent (a line protocol's
    server decides what comes next)."""
    conn = first_connection(obs)
    return run.wanted(conn.replies if conn is not None else ())


def sent_mismatch(run: RunSpec, obs: Observation) -> tuple[int, bytes, bytes] | None:
    """The first message that did not arrive as sent: (its index, what was wanted, what came).

    Index -1 is everything a listening-only server received; ``len(wants)`` is what came after
    the last reply. None when every message arrived exactly.
    """
    conn = first_connection(obs)
    got_all = conn.received if conn is not None else b""
    wants = wanted(run, obs)
    if not wants or not run.replies:
        joined = b"".join(wants)
        return None if got_all == joined else (-1, joined, got_all)
    turns = conn.turns() if conn is not None else (b"",)
    if conn is not None and conn.segments and conn.segments[0].direction == "out":
        turns = turns[1:]  # the server spoke first: nothing was due before its opening
    for i, want in enumerate(wants):
        got = turns[i] if i < len(turns) else b""
        if got != want:
            return i, want, got
    extra = turns[len(wants)] if len(turns) > len(wants) else b""
    return (len(wants), b"", extra) if extra else None


def check_sent(run: RunSpec, obs: Observation, ctx: Context) -> Verdict:
    wants = wanted(run, obs)
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
        return run.printed(tuple(r for conn in obs.wire.connections for r in conn.replies))
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
    limit = f"{ctx.time_limit_s:g}"
    expected = f"the program ends by itself within {limit} s, with exit status 0"
    proc = obs.process
    exc = exception_text(obs)
    if proc.timed_out:
        return Verdict(False, expected, f"still running after {limit} s; stopped")
    if proc.output_overflow:
        return Verdict(False, expected, f"stopped: output passed {ctx.output_kb} KiB")
    if proc.memory_limit:
        return Verdict(False, expected, "stopped: the run passed its memory limit")
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
    if run.server_class.sent_title:
        return run.server_class.sent_title
    if not run.messages:
        return "sends nothing"
    if len(run.messages) == 1:
        message = run.expected_bytes[0]
        short = message.isascii() and len(message) <= 30 and not run.stdin and not run.hidden
        return f"sends exactly {literal(message)}" if short else "sends the message exactly"
    return "sends each message exactly, one at a time, after the previous reply"


def _title_output(run: RunSpec, _limit: float) -> str:
    if run.output == "replies":
        if run.server_class.printed_title:
            return run.server_class.printed_title
        return "prints the replies, one per line" if len(run.messages) > 1 else "prints the reply"
    if run.hidden:
        return "prints exactly the text the task asks for"  # the text is the hidden run's own
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
