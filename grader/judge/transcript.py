"""What crossed the wire in one run, as a learner reads it: the transcript the Report carries.

Strategy: built once, here, from the frozen records (the server's segments with their times,
the connect calls the interpreter reported, the process outcome), so that every renderer shows
the same thing and none of them goes back to the records. Bytes are shown as Python bytes
literals, capped; a connect call is shown with the address as the program asked for it.
"""

from __future__ import annotations

from grader.i18n import Catalogue
from grader.judge.checks import not_tcp, short_paths, signal_name
from grader.judge.verdict import exception_text
from grader.observe.records import ConnectAttempt, ConnectionRecord, Observation
from grader.report import RunTranscript, WireEvent
from grader.show import literal

# Characters of one bytes literal kept: a reply (at most 200 bytes) whole, escapes included;
# the text report cuts it to the terminal's width unless --verbose.
CAP = 2000
OUTPUT_CAP = 300  # characters of stdout or stderr kept
MAX_EVENTS = 100  # a flood of tiny segments is summed up, not listed: every format carries this


def _capped(value: bytes | str, cap: int) -> str:
    shown = literal(value, raw_backslash=isinstance(value, str))
    return shown if len(shown) <= cap else shown[: cap - 1] + "…"


def _decoded(data: bytes) -> str:
    """The text of bytes that are UTF-8 but not ASCII (ASCII reads as it is), else ""."""
    if data.isascii():
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return _capped(text, CAP)


def _asked(attempt: ConnectAttempt) -> str:
    if not attempt.port:
        return attempt.host  # not a (host, port) pair: shown as given
    port = attempt.port if attempt.port.isdigit() else repr(attempt.port)
    return f"({attempt.host!r}, {port})"


def _connection_events(conn: ConnectionRecord, words: Catalogue) -> list[WireEvent]:
    events = [
        WireEvent(
            "client" if seg.direction == "in" else "server",
            "data",
            _capped(seg.data, CAP),
            seg.at_s,
            conn.index,
            _decoded(seg.data),
        )
        for seg in conn.segments
    ]
    if conn.dropped:
        more = words.message("wire.more_bytes", count=conn.dropped)
        events.append(WireEvent("client", "data", more, None, conn.index))
    end = {"fin": "wire.fin", "rst": "wire.rst", "open": "wire.open"}[conn.end]
    if conn.end != "open" and not conn.ended_while_running:
        end += "_at_exit"  # the interpreter's exit closed it, not the program
    events.append(WireEvent("client", "end", words.message(end), conn.ended_s, conn.index))
    return events


def _outcome(attempt: ConnectAttempt, words: Catalogue, tcp: bool) -> str:
    if attempt.outcome == "connected":
        return words.message("wire.connected" if tcp else "wire.connected_no_tcp")
    if attempt.outcome in ("ConnectionRefusedError", "errno 111"):
        return words.message("wire.refused")
    return attempt.outcome


def run_transcript(obs: Observation, words: Catalogue) -> RunTranscript:
    """The transcript of one run."""
    by_port = {c.peer_port: c for c in obs.wire.connections}
    udp = not_tcp(obs)
    shown: set[int] = set()
    events: list[WireEvent] = []
    for attempt in obs.trace.attempts:
        conn = by_port.get(attempt.local_port if attempt.local_port is not None else -1)
        asked = words.message("wire.connect", address=_asked(attempt))
        at = conn.opened_s if conn is not None else None
        index = conn.index if conn is not None else 0
        events.append(
            WireEvent(
                "client",
                "connect",
                f"{asked} → {_outcome(attempt, words, conn is not None or attempt not in udp)}",
                at,
                index,
            )
        )
        if conn is not None and conn.index not in shown:
            shown.add(conn.index)
            events += _connection_events(conn, words)
    for conn in obs.wire.connections:
        if conn.index not in shown:  # a connection the interpreter did not report (a child?)
            asked = words.message(
                "wire.connect", address=words.message("wire.from_port", port=conn.peer_port)
            )
            events.append(WireEvent("client", "connect", asked, conn.opened_s, conn.index))
            events += _connection_events(conn, words)
    if len(events) > MAX_EVENTS:
        left = len(events) - (MAX_EVENTS - 1)
        events = events[: MAX_EVENTS - 1] + [
            WireEvent(
                "client",
                "data",
                words.message("wire.more_events", count=left),
                None,
                events[-1].connection,
            )
        ]
    proc = obs.process
    seconds = f"{proc.duration_s:.2f}"
    if proc.timed_out:
        ending = words.message("wire.killed", seconds=seconds)
    elif proc.signal is not None:
        ending = words.message("wire.signal", signal=signal_name(proc.signal), seconds=seconds)
    else:
        ending = words.message("wire.exit", status=proc.exit_code, seconds=seconds)
    return RunTranscript(
        run=obs.run_name,
        events=tuple(events),
        stdout=_capped(proc.stdout.decode("utf-8", "replace"), OUTPUT_CAP),
        stderr=_capped(short_paths(proc.stderr.decode("utf-8", "replace")), OUTPUT_CAP),
        ending=ending,
        duration_s=proc.duration_s,
        stdin=_capped(obs.stdin.decode("utf-8", "replace"), OUTPUT_CAP),
        exception=exception_text(obs),
    )
