"""What the hint rules look at: one run's records and spec, read once, and the predicates on them.

Strategy: ``Facts`` gathers, for one run, what several rules of ``diagnosis`` ask about (the
exception, the output as compared, what went to stderr, the first message that did not arrive
as sent); the functions below are the rules' predicates and fields, named for what they tell.
Pure functions.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from grader.i18n import MESSAGES
from grader.judge.checks import expected_output, normalise, sent_mismatch, wanted
from grader.judge.hints import Phrase
from grader.judge.syntax import parse
from grader.judge.verdict import Context, address, elsewhere, exception_text, first_connection
from grader.observe.records import ConnectAttempt, Observation
from grader.problem.spec import RunSpec
from grader.show import literal, printable

_ENCODINGS = ("latin-1", "cp1252", "cp1251", "utf-16", "utf-16-le", "ascii")
_TRACEBACK = "Traceback (most recent call last):"


@dataclass(frozen=True)
class Facts:
    """What the rules look at: one run's records and spec, read once."""

    run: RunSpec
    obs: Observation
    ctx: Context
    exc: str  # "Type: detail" of an uncaught exception, or ""
    printed: str  # stdout, normalised as the output check compares it
    expected: str  # the expected output, normalised
    stray: str  # what the program wrote to stderr itself (the traceback cut off)
    index: int = 0  # sent: which message did not arrive as sent (-1: the only one)
    want: bytes = b""
    got: bytes = b""
    next_want: bytes = b""
    replies: tuple[bytes, ...] = field(default=())
    wants: tuple[bytes, ...] = field(default=())  # the messages wanted, given the replies

    @property
    def exc_name(self) -> str:
        return self.exc.split(":")[0]

    @property
    def count_line(self) -> str:
        """The first line of input when it is a number (the count n of problem 4), else ""."""
        first = self.run.stdin.split("\n", 1)[0].strip()
        return first if first.isdigit() else ""


def facts(run: RunSpec, obs: Observation, ctx: Context) -> Facts:
    """The facts of one run."""
    stderr = obs.process.stderr.decode("utf-8", "replace")
    stray = stderr.split(_TRACEBACK, 1)[0].strip() if exception_text(obs) else stderr.strip()
    miss = sent_mismatch(run, obs)
    index, want, got = miss if miss is not None else (0, b"", b"")
    wants = wanted(run, obs)
    return Facts(
        run=run,
        obs=obs,
        ctx=ctx,
        exc=exception_text(obs),
        printed=normalise(obs.process.stdout.decode("utf-8", "replace")),
        expected=normalise(expected_output(run, obs)),
        stray=stray,
        index=index,
        want=want,
        got=got,
        next_want=wants[index + 1] if 0 <= index < len(wants) - 1 else b"",
        replies=tuple(r for conn in obs.wire.connections for r in conn.replies),
        wants=wants,
    )


@dataclass(frozen=True)
class Rule:
    """A row of a hint table: the mistake ``key`` when ``when`` holds; ``why`` is the rule."""

    key: str
    when: Callable[[Facts], bool]
    fields: Callable[[Facts], dict[str, object]] = lambda _f: {}
    why: str = ""


def reply_before(f: Facts) -> bytes:
    """The reply the message that did not arrive as sent answers (b"" before the first)."""
    conn = first_connection(f.obs)
    if conn is None or f.index < 0:
        return b""
    spoke_first = bool(conn.segments) and conn.segments[0].direction == "out"
    at = f.index if spoke_first else f.index - 1
    return conn.replies[at] if 0 <= at < len(conn.replies) else b""


def from_reply(f: Facts) -> bool:
    """The message that did not arrive is one the server's reply decided (not the spec's)."""
    static = f.run.expected_bytes
    return f.run.server_class.decides_messages() and (
        f.index >= len(static) or f.want != static[f.index]
    )


def encoded_as(f: Facts) -> str:
    """The codec that turns the wanted text into what arrived, or ""."""
    text = f.want.decode("utf-8", "replace")
    for encoding in _ENCODINGS:
        try:
            if text.encode(encoding) == f.got:
                return encoding
        except UnicodeEncodeError:
            pass
    return ""


def bytes_required(f: Facts) -> bool:
    """A str was given where bytes are needed (send, sendall)."""
    return "bytes-like object is required" in f.exc or "bytes-like object is required" in f.stray


def shown_stray(f: Facts) -> str | Phrase:
    """The first line the program wrote to stderr, as a capped literal."""
    first = f.stray.split("\n")
    shown = literal(printable(first[0][:60]))
    if len(first) > 1:
        return Phrase("fields.and_more", MESSAGES["fields.and_more"], {"first": shown})
    return shown


def refused_words(f: Facts) -> bool:
    """The output is the words Connection refused, give or take case and marks."""
    return f.printed.lower().strip(" .!") == "connection refused"


def first_line_refused(f: Facts) -> bool:
    """The first line is exactly Connection refused, and more lines follow."""
    lines = f.printed.split("\n")
    return len(lines) > 1 and lines[0].strip() == "Connection refused"


def lines_without_blanks(f: Facts) -> bool:
    """The replies are right once blank lines between them are dropped."""
    lines = f.printed.split("\n")
    return (
        len(f.replies) > 1
        and "" in lines
        and [x for x in lines if x.strip()] == (f.expected.split("\n"))
    )


def one_line(f: Facts) -> bool:
    """Several replies printed without a line break between them."""
    if len(f.replies) < 2:
        return False
    if f.printed.replace("\n", "") == f.expected.replace("\n", ""):
        return True
    return f.printed.count("\n") < f.expected.count("\n") and all(
        r.decode("utf-8", "replace") in f.printed for r in f.replies
    )


def decoded_wrong(f: Facts) -> bool:
    """The output is the replies decoded with a codec other than UTF-8."""
    return bool(f.replies) and any(
        f.printed == "\n".join(r.decode(enc, "replace") for r in f.replies)
        for enc in ("latin-1", "cp1252", "cp1251")
    )


def server_down(f: Facts) -> bool:
    """The run where nothing listens (problem 5's second run)."""
    return not f.run.replies and not f.obs.wire.server_up


RECEIVING = frozenset({"recv", "recv_into", "recvfrom", "recvmsg", "makefile", "read", "readline"})


@functools.lru_cache(maxsize=256)
def _called(source: bytes) -> frozenset[str]:
    """The names the script's source calls (``recv`` for ``s.recv(1024)``); empty if unreadable."""
    try:
        tree = parse(source)
    except (SyntaxError, ValueError):
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return frozenset(names)


def receives(f: Facts) -> bool:
    """The script's source has a call that reads from a socket (recv(), a file from makefile()).

    Whether the program waited in one cannot be seen from outside (a recv() and a sleep look
    alike): a hint names recv() only where the source has one.
    """
    return bool(_called(f.ctx.source) & RECEIVING)


def doing(f: Facts) -> str:
    """What the program was doing when it was stopped (a key of ``hints.DOING``), from the wire
    and the source.

    Rule: no guess at *which* call it waited in (a recv() and a sleep look alike from outside),
    recv() named only where the source has one, and a reply only where the server replies.
    """
    conn = first_connection(f.obs)
    if f.obs.trace.end is not None:
        return "threads"
    if conn is None:
        if any(a.outcome != "connected" for a in f.obs.trace.attempts):
            return "refused_retrying" if server_down(f) else "failed_looping"
        return "not_connected"
    if not conn.received:
        return "silent_replies" if f.run.replies else "silent_no_replies"
    if not f.run.replies:
        if receives(f):
            return "recv_no_replies"
        return "sleep_after_send" if "sleep" in _called(f.ctx.source) else "loop_after_send"
    if conn.replies and conn.segments[-1].direction == "out" and len(conn.replies) >= len(f.wants):
        return "after_last_reply" if receives(f) else "after_last_reply_no_recv"
    return "waiting_for_reply"


def decoded_in_pieces(f: Facts) -> bool:
    """UTF-8 decoded a piece at a time: a decode error inside the server's UTF-8, or the
    replies printed with each multi-byte character replaced or dropped."""
    if f.exc_name == "UnicodeDecodeError":
        return "'utf-8' codec" in f.exc and any(
            why in f.exc
            for why in ("unexpected end of data", "invalid start byte", "invalid continuation")
        )
    if not f.printed or f.expected.isascii():
        return False
    ascii_only = "".join(ch for ch in f.expected if ch.isascii())
    return f.printed.replace("\ufffd", "") == ascii_only


def quoted_refused(f: Facts) -> bool:
    """Connection refused, printed with quotes around it."""
    shown = f.printed.strip()
    return shown != "Connection refused" and shown.strip("'\"«»“”‘’`") == "Connection refused"


def eof_key(f: Facts) -> str:
    """Which EOFError hint fits the input this run gives."""
    if not f.run.stdin:
        return "eof_no_input"
    return "eof" if f.count_line else "eof_one_line"


def codec(f: Facts) -> str | Phrase:
    """The codec an encode or decode error names."""
    found = re.search(r"'([\w-]+)' codec", f.exc)
    return found.group(1) if found else Phrase("fields.the_codec", MESSAGES["fields.the_codec"])


def memory(f: Facts) -> dict[str, object]:
    """The fields of the memory hint (the script's own address space)."""
    return {"limit": f.ctx.memory_mb}


def run_memory(f: Facts) -> dict[str, object]:
    """The fields of the run's memory hint (its processes and files together: its cgroup)."""
    return {"limit": f.ctx.run_memory_mb}


def asked(f: Facts) -> str | Phrase:
    """The address the program asked for, as it wrote it (a list or a bare string included)."""
    other = elsewhere(f.obs) or not_an_address(f)
    if other:
        return address(other[0].host, other[0].port)
    return Phrase("fields.another_address", MESSAGES["fields.another_address"])


def not_an_address(f: Facts) -> list[ConnectAttempt]:
    """connect() calls given something other than a (host, port) pair: a list, a bare string."""
    return [a for a in f.obs.trace.attempts if a.outcome == "TypeError" and not a.port]
