"""The closing check: the script closed its socket itself, as the kernel showed at exit.

Strategy: the proof comes from outside the script's process (the kernel's view of the run's
sockets while the script's process was stopped in its exit, and the FIN the server saw while it
ran); what the interpreter reported (close(), a with block) only says how, and a with block
counts only at a with statement of the source (``with_blocks``). A report can make this check
fail (tampering, a close() where a with block was asked for), never pass it alone.
"""

from __future__ import annotations

from grader.judge.hints import hint
from grader.judge.verdict import Context, Verdict
from grader.judge.with_blocks import with_spans
from grader.observe.records import ConnectionRecord, Observation, SocketClose, SocketState
from grader.problem.spec import RunSpec


def _closed_with_block(closes: list[SocketClose], source: bytes) -> bool:
    """The socket closed as a with statement ended: reported at runtime, at a with statement of
    the source (over the socket, ``closing(...)``, an ``ExitStack``, the learner's own class)."""
    spans = with_spans(source)
    for close in closes:
        if close.how != "with" or close.at is None:
            continue
        at = close.at
        if (at.line, at.end_line, at.col, at.end_col) in spans:
            return True
    return False


def _held(state: SocketState, conn: ConnectionRecord, closes: list[SocketClose], pid: int) -> str:
    """Why a socket the kernel still showed held at exit was not closed, from the evidence."""
    if not state.holders:
        return "held_without_descriptor"
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
    "held_without_descriptor": (
        "the socket was still open when the program exited, kept alive without a descriptor "
        "(a memory mapping of it, or its descriptor sent in a message nobody received)"
    ),
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
                "the program's exit could not be watched, so whether it closed its socket "
                "could not be seen"
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
            by_hand = any(c.how == "exit" for c in closes) and not any(
                c.how == "with" for c in closes
            )
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
