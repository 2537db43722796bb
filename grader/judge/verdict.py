"""What every check shares: its verdict, the context it judges in, and readings of the records.

Strategy: the checks (``checks``, ``closing``) are pure functions returning a ``Verdict``; the
helpers here read the frozen records the same way for every check and for the diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.judge.hints import Hint
from grader.observe.records import ConnectAttempt, ConnectionRecord, Observation
from grader.sandbox.lesson import LESSON_HOSTS, LESSON_PORT
from grader.show import printable


@dataclass(frozen=True)
class Context:
    """What the checks need beyond the records: the limits in force for this grading."""

    time_limit_s: float
    output_kb: int
    memory_mb: int
    source: bytes = b""  # the script's source: where its with blocks are
    run_memory_mb: int = 0  # all of a run's processes and tmpfs together (its cgroup), 0: none


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
        if not (a.host in LESSON_HOSTS and a.port == str(LESSON_PORT))
        and a.outcome not in ("TypeError", "OverflowError")
    ]


def first_connection(obs: Observation) -> ConnectionRecord | None:
    return obs.wire.connections[0] if obs.wire.connections else None
