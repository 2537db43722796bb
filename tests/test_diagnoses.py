"""Every sentence of a diagnosis is true of what was observed: one real script per wrong cause
a learner was once told, graded for real, with the cause told first pinned.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grader.api import Grader
from grader.render.text_format import render
from grader.report import Report
from tests.conftest import SUBMISSIONS


@pytest.fixture(scope="module")
def fast() -> Iterator[Grader]:
    with Grader.create(time_limit_s=2) as grader:
        yield grader


def _grade(grader: Grader, name: str) -> Report:
    return grader.grade(SUBMISSIONS / name, int(name[1]), seed=7)


@pytest.mark.parametrize("name", ["p5/fail_retries_forever.py", "p5/fail_six_tries_with_sleeps.py"])
def test_a_time_out_is_told_before_the_output_it_never_printed(fast: Grader, name: str) -> None:
    report = _grade(fast, name)
    root = report.diagnosed
    assert root is not None and (root.name, root.hint_key) == ("clean_end", "timeout")
    assert root.run == "server down"
    assert root.mistake == (
        "The program was still running after 2 s: its connection had been refused, and it went "
        "on waiting or trying again."
    )
    assert root.fix.startswith("When the connection is refused, print Connection refused and end")
    output = next(c for c in report.failed_checks if c.name == "output")
    assert output.hint_key == "printed_before_timeout"
    assert report.diagnosis is not None
    assert report.checks.index(output) in report.diagnosis.caused
    assert "Failing because of it: prints exactly 'Connection refused'" in render([report])


def test_a_script_that_sleeps_is_not_told_it_waits_in_recv(fast: Grader) -> None:
    report = _grade(fast, "p2/fail_sleeps_after_send.py")
    root = report.diagnosed
    assert root is not None and root.hint_key == "timeout"
    assert root.mistake == (
        "The program was still running after 2 s: it had sent its data and was sleeping "
        "(time.sleep()), with no recv() in the script."
    )
    assert "recv()" not in root.fix


def test_a_script_waiting_in_recv_is_still_told_so(fast: Grader) -> None:
    report = _grade(fast, "p1/fail_waits_for_answer.py")
    root = report.diagnosed
    assert root is not None and root.hint_key == "timeout"
    assert (
        root.fix
        == "This server never sends anything: do not recv() or wait; close the socket and end."
    )


def test_utf8_decoded_a_byte_at_a_time_is_not_the_wrong_codec(fast: Grader) -> None:
    report = _grade(fast, "p3/fail_decodes_byte_by_byte.py")
    root = report.diagnosed
    assert root is not None and root.hint_key == "decoded_in_pieces"
    assert root.mistake.startswith("The reply was decoded piece by piece: a UTF-8 character")
    assert {c.hint_key for c in report.failed_checks} == {"decoded_in_pieces"}


def test_the_right_words_in_quotes_are_not_the_exception_text(fast: Grader) -> None:
    report = _grade(fast, "p5/fail_prints_quoted_refused.py")
    root = report.diagnosed
    assert root is not None and root.hint_key == "refused_quoted"
    assert root.mistake == "'Connection refused' was printed with quotes around it."
    assert "exception" not in root.hint


def test_a_udp_socket_is_told_tcp_was_expected(fast: Grader) -> None:
    report = _grade(fast, "p1/fail_udp_socket.py")
    root = report.diagnosed
    assert root is not None and root.hint_key == "not_tcp"
    assert "never connected" not in root.hint
    assert "TCP" in root.fix
    assert "no connection reached the server, though connect() returned" == root.observed
    transcript = report.transcript(root.run)
    assert transcript is not None
    assert transcript.events[0].text == (
        "connect(('127.0.0.1', 9090)) → returned, but no TCP connection arrived"
    )


def test_a_socket_closed_by_the_exit_is_shown_closed_by_the_exit(fast: Grader) -> None:
    report = _grade(fast, "p2/fail_sends_never_closes.py")
    root = report.diagnosed
    assert root is not None and root.hint_key == "never_closed"
    transcript = report.transcript(root.run)
    assert transcript is not None
    ends = [e.text for e in transcript.events if e.kind == "end"]
    assert ends == ["closed (FIN) by the interpreter's exit, not by the program"]
    assert "client   closed (FIN) by the interpreter's exit, not by the program" in render([report])


def test_a_socket_the_program_closed_is_shown_closed_by_it(fast: Grader) -> None:
    report = _grade(fast, "p2/fail_trailing_newline.py")
    transcript = report.transcript(report.runs[0])
    assert transcript is not None
    assert [e.text for e in transcript.events if e.kind == "end"] == ["closes (FIN)"]
