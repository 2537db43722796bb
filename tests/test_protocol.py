"""The reference server's reply rule, as a pure state machine."""

from __future__ import annotations

from grader.problem.protocol import ServerSession


def replies_to(expected: list[bytes], *arrivals: bytes) -> list[list[bytes]]:
    session = ServerSession(expected, lambda message, turn: b"r%d:" % turn + message)
    return [session.feed(data) for data in arrivals]


def test_reply_waits_for_the_whole_message_however_it_is_split() -> None:
    assert replies_to([b"Wake up, Neo"], b"Wake", b" up, ", b"Neo") == [
        [],
        [],
        [b"r0:Wake up, Neo"],
    ]


def test_a_different_message_is_answered_at_once() -> None:
    assert replies_to([b"Hello"], b"Help!") == [[b"r0:Help!"]]


def test_messages_sent_without_waiting_are_all_answered() -> None:
    assert replies_to([b"a", b"bb", b"c"], b"abbc") == [[b"r0:a", b"r1:bb", b"r2:c"]]


def test_a_stray_newline_waits_for_the_next_message() -> None:
    assert replies_to([b"one", b"two"], b"one\n", b"two\n") == [[b"r0:one"], [b"r1:\ntwo\n"]]


def test_a_listening_server_never_replies() -> None:
    assert ServerSession([b"Wake up, Neo"], None).feed(b"Wake up, Neo") == []
