"""The control channel's reader: our own reports parse, anything else is tampering, nothing raises.

The reader gets datagrams through a real SEQPACKET socket pair, as in a run; the sandbox's own
``send`` writes the well-formed ones, so a report it can produce and the table the reader
enforces are checked against each other.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.observe.records import ClientTrace, ConnectAttempt, SocketClose, SourcePosition
from grader.observe.trace import REPORTS, TraceReader
from grader.sandbox.channel import send


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)
    try:
        yield ours, theirs
    finally:
        ours.close()
        theirs.close()


def read_all(ours: socket.socket, datagrams: list[bytes], theirs: socket.socket) -> ClientTrace:
    """Send ``datagrams`` raw, close the sender, and read them all as the session does."""
    for data in datagrams:
        theirs.send(data)
    theirs.close()
    reader = TraceReader(ours)
    while reader.on_readable():
        pass
    assert reader.closed
    return reader.record()


def reports(*fields: tuple[object, ...]) -> list[bytes]:
    """Datagrams exactly as the sandbox writes them (through its own ``send``)."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with a, b:
        for f in fields:
            send(a, *f)
        b.setblocking(False)
        out = []
        while True:
            try:
                out.append(b.recv(65536))
            except BlockingIOError:
                return out


A_RUN = (
    ("S",),
    ("N", "127.0.0.1", 9090, "connected", 40000),
    ("C", 40000, "with", 6, 12, 0, 25),
    ("E", "ok", "", ""),
)


def test_a_run_as_the_sandbox_reports_it_parses_without_tampering(pair) -> None:  # type: ignore[no-untyped-def]
    trace = read_all(pair[0], reports(*A_RUN), pair[1])
    assert trace.tampering_count == 0
    assert trace.started
    assert trace.attempts == (ConnectAttempt("127.0.0.1", "9090", "connected", 40000),)
    assert trace.closes == (SocketClose(40000, "with", SourcePosition(6, 12, 0, 25)),)
    assert trace.end is not None and trace.end.kind == "ok"


# What a script might write to fd 3, and what the reader must call it.
TAMPERING = [
    (b"C\t40000\twith", "a report with the wrong number or size of fields"),
    ("C\t²\tclose\t\t\t\t".encode(), "a port that is not a plain decimal number"),
    (b"C\t70000\tclose\t\t\t\t", "a port out of range"),
    (b"C\t040000\tclose\t\t\t\t", "a port that is not a plain decimal number"),
    (b"C\t41000\tclose\t\t\t\t", "a close report for a socket that was never connected"),
    (b"C\t40000\tclosing\t\t\t\t", "an unknown way of closing"),
    (b"C\t40000\tclose\t\t\t\t", "a close report for a socket closed already"),
    (b"Q", "a report of a kind the grader's sandbox never sends"),
    # The lifecycle is not this channel's to tell: the old exit hold and listener messages.
    (b"L", "a report of a kind the grader's sandbox never sends"),
    (b"Z", "a report of a kind the grader's sandbox never sends"),
    (b"H\t0", "a report of a kind the grader's sandbox never sends"),
    (b"S", "a report out of order (S while running)"),
    (b"E\tok\tSystemExit\t", "an unknown way of ending"),
    (b"E\texception\tnot a name\t", "an exception name that is not a name"),
    (b"N\th\tp\tconnected\t\xff", "a report that is not UTF-8 text"),
    (b"N\th\tp\trm -rf\t", "an exception name that is not a name"),
    (b"", "an empty datagram"),
    (b"N\t" + b"x" * 2995, "a report with the wrong number or size of fields"),
    (b"N\t" + b"x" * 4000, "a report longer than any the grader's sandbox sends"),
]


@pytest.mark.parametrize(("data", "what"), TAMPERING, ids=[w for _d, w in TAMPERING])
def test_anything_else_is_tampering(pair, data: bytes, what: str) -> None:  # type: ignore[no-untyped-def]
    good = reports(("S",), ("N", "127.0.0.1", 9090, "connected", 40000))
    rest = reports(("C", 40000, "close", "", "", "", ""), ("E", "ok", "", ""))
    trace = read_all(pair[0], [*good, data, *rest], pair[1])
    assert trace.tampering_count == 1
    assert trace.tampering[0].what == what
    assert trace.tampering[0].sample == data[:80]
    # The genuine reports around it still count.
    assert trace.closes == (SocketClose(40000, "close"),)
    assert trace.end is not None and trace.end.kind == "ok"


@pytest.mark.parametrize("empties", [1, 2, 100])
def test_empty_datagrams_before_reports_are_skipped_and_told_once(pair, empties: int) -> None:  # type: ignore[no-untyped-def]
    good = reports(("S",), ("N", "127.0.0.1", 9090, "connected", 40000))
    rest = reports(("C", 40000, "close", "", "", "", ""), ("E", "ok", "", ""))
    trace = read_all(pair[0], [*good, *[b""] * empties, *rest], pair[1])
    assert [t.what for t in trace.tampering] == ["an empty datagram"]
    assert trace.closes == (SocketClose(40000, "close"),)  # what follows them still counts
    assert trace.end is not None and trace.end.kind == "ok"


def test_empty_datagrams_at_the_end_are_the_end(pair) -> None:  # type: ignore[no-untyped-def]
    trace = read_all(pair[0], [*reports(*A_RUN), b"", b""], pair[1])
    assert trace.tampering_count == 0
    assert trace.end is not None and trace.end.kind == "ok"


HOWS = ("close", "exit", "with", "detach")
# What the hooks send for one socket: one way of closing it, or close() (or a hand-called
# __exit__) inside a with block that began while it was open, then that block's end.
HONEST = {("close",), ("exit",), ("with",), ("detach",), ("close", "with"), ("exit", "with")}


@pytest.mark.parametrize(
    "sequence",
    [(a,) for a in HOWS] + [(a, b) for a in HOWS for b in HOWS] + [("close", "with", "with")],
)
def test_close_reports_for_one_socket_follow_the_hooks(pair, sequence: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    closes = [("C", 40000, how, "", "", "", "") for how in sequence]
    trace = read_all(
        pair[0], reports(("S",), ("N", "127.0.0.1", 9090, "connected", 40000), *closes), pair[1]
    )
    kept = next(n for n in range(len(sequence), -1, -1) if sequence[:n] in HONEST | {()})
    assert [c.how for c in trace.closes] == list(sequence[:kept])
    assert trace.tampering_count == len(sequence) - kept
    if trace.tampering_count:
        assert trace.tampering[0].what == "a close report for a socket closed already"


def test_descriptors_sent_with_a_report_are_tampering_and_closed(pair) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = pair
    extra = socket.socket()
    theirs.send(b"S")
    theirs.sendmsg(
        [b"L"],
        [
            (
                socket.SOL_SOCKET,
                socket.SCM_RIGHTS,
                bytes(memoryview(__import__("array").array("i", [extra.fileno()]))),
            )
        ],
    )
    extra.close()
    trace = read_all(ours, [], theirs)
    assert [t.what for t in trace.tampering] == ["descriptors sent with a report"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=120), max_size=20))
def test_random_datagrams_never_raise(datagrams: list[bytes]) -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)
    with ours, theirs:
        trace = read_all(ours, datagrams, theirs)
    # Empty datagrams sent just before the sender closed cannot be told from its end.
    while datagrams and datagrams[-1] == b"":
        datagrams = datagrams[:-1]
    unknown = [d for d in datagrams if d.split(b"\t")[0] not in {k.encode() for k in REPORTS}]
    if unknown:
        assert trace.tampering_count >= 1
    assert len(trace.tampering) <= 5


FIELD = st.one_of(
    st.text(max_size=700),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=50),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(
    host=FIELD,
    port=FIELD,
    lport=st.integers(1, 65535),
    outcome=st.sampled_from(["connected", "ConnectionRefusedError", "errno 115", "TypeError"]),
    detail=FIELD,
    how=st.sampled_from(["close", "exit", "with", "detach"]),
    line=st.one_of(st.just(""), st.integers(1, 10**6)),
)
def test_whatever_the_script_passes_our_reports_stay_well_formed(
    host: object,
    port: object,
    lport: int,
    outcome: str,
    detail: object,
    how: str,
    line: object,
) -> None:
    """Learner-chosen values (hosts, ports, exception texts) never make a report malformed."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)
    with ours, theirs:
        datagrams = reports(
            ("S",),
            ("N", host, port, outcome, lport),
            ("C", lport, how, line, "", "", ""),
            ("E", "exception", "ValueError", detail),
        )
        trace = read_all(ours, datagrams, theirs)
    assert trace.tampering == ()
    assert len(trace.attempts) == 1 and len(trace.closes) == 1
    assert trace.end is not None and trace.end.exc_type == "ValueError"
