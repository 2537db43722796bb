"""The feedback a learner reads: the one mistake first, within 20 lines, pinned word for word.

Each test grades a real script. A change to these texts is a change to what learners see: make it
on purpose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.api import Grader
from grader.render import json_format
from grader.render.text_format import render
from tests.conftest import SUBMISSIONS

# A failing corpus script names in its header ("# fails: check/hint_key") the first failure in
# report order. The report tells that mistake first, except where that failure only says the
# program stopped or hung before it: then how the program ended names the cause, and comes first.
TOLD_FIRST = {
    "p1/fail_connect_two_arguments.py": "exception",
    "p1/fail_eof_reads_input.py": "eof_no_input",
    "p1/fail_port_as_float.py": "exception",
    "p1/fail_sleeps_before_connect.py": "timeout",
    "p1/fail_waits_for_answer.py": "timeout",
    "p2/fail_sleeps_after_send.py": "timeout",
    "p5/fail_retries_forever.py": "timeout",
    "p5/fail_six_tries_with_sleeps.py": "timeout",
    "p2/fail_close_before_send.py": "exception",
    "p2/fail_recv_before_send.py": "timeout",
    "p3/fail_reads_two_lines.py": "eof_one_line",
    "p3/fail_typo_before_print.py": "exception",
    "p4/fail_range_without_int.py": "exception",
    "p4/fail_reads_all_stdin_as_count.py": "value_error",
    # Two mistakes: encode('ascii') and decode('ascii'). Sending comes before printing.
    "p3/fail_ascii_codec.py": "encode_error",
    # Whether the next message reaches the server before the reply went out is the kernel's
    # timing: the exchange is judged one way or the other, both name the mistake.
    "p4/fail_send_all_then_read.py": "sent_before_reply|replies_one_line",
}
FAILING = sorted(SUBMISSIONS.glob("p*/fail_*.py"))


def _named(path: Path) -> str:
    name = f"{path.parent.name}/{path.name}"
    if name in TOLD_FIRST:
        return TOLD_FIRST[name]
    header = re.search(r"^# fails: \w+/(\w+)$", path.read_text(errors="replace"), re.M)
    assert header is not None, f"{name} has no '# fails:' line"
    return header.group(1)


@pytest.mark.parametrize("path", FAILING, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_one_mistake_first_in_twenty_lines(fast: Grader, path: Path) -> None:
    report = fast.grade(path, int(path.parent.name[1]), seed=7)
    root = report.diagnosed
    assert report.verdict == "fail" and root is not None
    assert report.diagnosis is not None and report.diagnosis.hint_key in _named(path).split("|")
    lines = render([report]).rstrip("\n").split("\n")
    assert len(lines) <= 20, "\n".join(lines)
    # Within 100 columns, but for the last line: it names the file, wherever it is.
    assert max(len(line) for line in lines[:-1]) <= 100, "\n".join(lines)
    assert " ".join(lines[1:3]).startswith(root.mistake[:60])
    words = [line for line in lines if not line.startswith("    ")]  # not the wire's own lines
    sentences = [s for line in words for s in re.split(r"(?<=[.!?])\s+", line.strip()) if s]
    repeated = {s for s in sentences if sentences.count(s) > 1 and len(s) > 20}
    assert not repeated
    # A narrower terminal gets every line within its width, the default report and every check.
    for width in (60, 73):
        for verbose in (False, True):
            narrow = render([report], verbose=verbose, width=width).splitlines()
            assert max(len(line) for line in narrow) <= width, "\n".join(narrow)


@pytest.fixture(scope="module")
def fast() -> Grader:
    with Grader.create(time_limit_s=2) as grader:
        yield grader


def _grade(fast: Grader, script: Callable[..., Path], source: str, problem: int):  # type: ignore[no-untyped-def]
    return fast.grade(script(source), problem, seed=7)


def test_trailing_newline_report_and_transcript(fast: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        s = socket.socket()
        s.connect(('127.0.0.1', 9090))
        s.send('Wake up, Neo\\n'.encode())
        s.close()
        """
    )
    report = fast.grade(path, 2, seed=7)
    text = render([report])
    body = re.sub(r"\d+\.\d{3} s|after \d+\.\d\d s", "T", text.split("\n", 1)[1])
    body = body.split("\n      /", 1)[0]  # the footer holds the path and the time
    assert body == (
        "The message ends with a newline (b'\\n'), but messages carry none.\n"
        "  ✗ sends exactly b'Wake up, Neo'\n"
        "      expected  b'Wake up, Neo'\n"
        "      observed  b'Wake up, Neo\\n'\n"
        "                              ^\n"
        "      try       input() returns the line without it; after sys.stdin.readline(), strip"
        " it:\n"
        "                line.rstrip('\\n').\n"
        "  Not judged until this passes: closes the connection itself.\n"
        "  What crossed the wire in run “wake up”:\n"
        "     T  client   connect(('127.0.0.1', 9090)) → connected\n"
        "     T  client → b'Wake up, Neo\\n'\n"
        "     T  client   closes (FIN)\n"
        "    stdout nothing · stderr nothing · exit status 0 T"
    )
    footer = text.split("\n      /", 1)[1]  # packed into as many lines as its path needs
    assert " ".join(footer.replace("·", " ").split()).endswith("seed 7 the task: grade --show 2")


def test_transcript_of_a_reply_printed_as_bytes(fast: Grader, script: Callable[..., Path]) -> None:
    report = _grade(
        fast,
        script,
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(input().encode())
            print(s.recv(1024))
        """,
        3,
    )
    transcript = report.transcripts[0]
    kinds = [(e.who, e.kind) for e in transcript.events]
    assert kinds == [
        ("client", "connect"),
        ("client", "data"),
        ("server", "data"),
        ("client", "end"),
    ]
    assert transcript.events[1].text == 'b"Hello, server, it\'s me"'
    assert transcript.events[2].text.startswith("b'")
    assert transcript.stdout == '"' + transcript.events[2].text + '\\n"'
    assert transcript.ending.startswith("exit status 0 after ")
    assert [e.at_s is not None for e in transcript.events] == [True] * 4


def test_refused_transcript(fast: Grader, script: Callable[..., Path]) -> None:
    report = _grade(
        fast,
        script,
        """
        import socket
        try:
            with socket.socket() as s:
                s.connect(('localhost', 9090))
                s.send(b'Wake up, Neo')
                print(s.recv(1024).decode())
        except ConnectionRefusedError:
            print('Connection refused!')
        """,
        5,
    )
    down = report.transcript("server down")
    assert down is not None
    assert [e.text for e in down.events] == [
        "connect(('localhost', 9090)) → refused: nothing listens"
    ]
    assert down.stdout == "'Connection refused!\\n'"


# -- the wrong diagnoses, fixed ----------------------------------------------------------------
def _root(fast: Grader, script: Callable[..., Path], source: str, problem: int) -> tuple[str, str]:
    report = _grade(fast, script, source, problem)
    root = report.diagnosed
    assert root is not None
    return root.hint_key, root.hint


def test_logging_is_stderr_not_nothing(fast: Grader, script: Callable[..., Path]) -> None:
    key, text = _root(
        fast,
        script,
        """
        import socket, logging
        logging.basicConfig()
        message = input()
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(message.encode())
            logging.warning(s.recv(1024).decode())
        """,
        3,
    )
    assert key == "printed_to_stderr"
    assert text == (
        "Your program wrote 'WARNING:root:Salut! Got 22 bytes, ticket №993908 ✓' to standard "
        "error (stderr), not to standard output: stderr is not output. Use a plain print(...): "
        "logging and print(..., file=sys.stderr) write to stderr."
    )


def test_refused_then_another_line(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p5" / "fail_refused_then_extra_line.py", 5, seed=7)
    assert report.diagnosed is not None
    assert report.diagnosed.hint == (
        "'Connection refused' was printed, and then more. Print Connection refused and nothing "
        "else: no second print(), no other line."
    )


def test_blank_lines_between_replies(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p4" / "fail_blank_line_after_reply.py", 4, seed=7)
    assert report.diagnosed is not None
    assert report.diagnosed.hint == (
        "Blank lines were printed between the replies. Print each reply with a plain "
        "print(reply): one line each, nothing between."
    )


@pytest.mark.parametrize("problem", [1, 2])
def test_linger_reset_says_nothing_of_replies(
    fast: Grader, script: Callable[..., Path], problem: int
) -> None:
    send = "s.send(b'Wake up, Neo')" if problem == 2 else ""
    key, text = _root(
        fast,
        script,
        f"""
        import socket, struct
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        s.connect(('127.0.0.1', 9090))
        {send}
        s.close()
        """,
        problem,
    )
    assert key == "reset_no_reply"
    assert "reply" not in text
    assert text == (
        "The server saw a reset (RST), not an orderly close (FIN): the socket was torn down "
        "(SO_LINGER set to 0?), not closed. Close it plainly with client_socket.close() or a "
        "with block, without socket options."
    )


def test_count_line_sent(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p4" / "fail_sends_count_line.py", 4, seed=7)
    assert report.diagnosed is not None
    assert report.diagnosed.hint == (
        "The count line (b'1') was sent to the server too; it only says how many messages "
        "follow. Read it with int(input()) and send only the messages after it."
    )


def test_del_is_not_interpreter_exit(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p2" / "fail_del_socket.py", 2, seed=7)
    root = report.diagnosed
    assert root is not None
    assert root.observed == (
        "the script never closed it: the interpreter discarded the socket once nothing "
        "referred to it (no close(), no with block)"
    )
    assert "interpreter exit" not in root.hint


def test_socket_left_to_the_interpreter(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p1" / "fail_never_closed.py", 1, seed=7)
    root = report.diagnosed
    assert root is not None
    assert root.hint_key == "never_closed"
    assert root.hint == (
        "The socket was never closed by the program: the connection ended only when the "
        "interpreter exited. Call client_socket.close() when done, or use `with socket.socket() "
        "as client_socket:`, whose end closes it."
    )


def test_connect_with_a_list(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p1" / "fail_connect_with_list.py", 1, seed=7)
    root = report.diagnosed
    assert root is not None
    assert root.hint == (
        "connect() was given ['127.0.0.1', 9090], not an address tuple. Pass host and port "
        "together in one tuple: client_socket.connect(('127.0.0.1', 9090))."
    )
    assert root.observed == "no connection"
    (transcript,) = report.transcripts
    assert transcript.events[0].text == "connect(['127.0.0.1', 9090]) → TypeError"


def test_traceback_is_above_and_shown_once(fast: Grader, script: Callable[..., Path]) -> None:
    report = _grade(
        fast,
        script,
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(b'Wake up, Neo')
            raise ValueError('oops')
        """,
        2,
    )
    root = report.diagnosed
    assert root is not None and root.hint_key == "exception"
    assert root.hint == (
        "Your program stopped with an uncaught ValueError. The traceback above shows the line it "
        "came from: its last line names the error."
    )
    text = render([report])
    assert text.count("ValueError: oops") == 1
    assert "below" not in text


def test_eof_in_problem_1_says_there_is_no_input(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p1" / "fail_eof_reads_input.py", 1, seed=7)
    assert report.diagnosed is not None
    assert report.diagnosed.hint == (
        "input() found no input (EOFError): this problem gives the program none. Do not call "
        "input() here: the message is written in the problem."
    )


def test_sleep_is_not_guessed_as_recv(fast: Grader, script: Callable[..., Path]) -> None:
    key, text = _root(
        fast,
        script,
        """
        import socket, time
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            time.sleep(30)
        """,
        3,
    )
    assert key == "timeout"
    assert text == (
        "The program was still running after 2 s: it was connected but had sent nothing, and "
        "waited or looped. Send the message first: the server replies only after it arrives."
    )


def test_output_before_a_hang_is_seen_and_no_typo(
    fast: Grader, script: Callable[..., Path]
) -> None:
    report = _grade(
        fast,
        script,
        """
        import socket
        s = socket.socket()
        s.connect(('127.0.0.1', 9090))
        s.send(input().encode())
        print(s.recv(1024).decode())
        while s.recv(1024):
            pass
        """,
        3,
    )
    output = next(c for c in report.checks if c.name == "output")
    assert output.status == "passed"  # printed before the kill, and seen
    root = report.diagnosed
    assert root is not None
    assert root.hint == (
        "The program was still running after 2 s: it had received the last reply and kept going "
        "(a loop, a sleep, or another recv() waiting for data that never comes). After the last "
        "reply, close the socket and end: no more data comes."
    )
    assert "?." not in render([report])


def test_str_of_bytes_is_shown_as_printed(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p3" / "fail_print_str_of_bytes.py", 3, seed=7)
    root = report.diagnosed
    assert root is not None
    assert "\\\\x" not in root.observed and "\\x" in root.observed


def test_non_utf8_source_names_its_line(tmp_path: Path, fast: Grader) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"import socket\n# caf\xe9\n")
    report = fast.grade(path, 1)
    root = report.diagnosed
    assert root is not None
    assert root.hint == (
        "The file is not UTF-8 text: line 2 has a byte UTF-8 cannot read (byte 0xe9: invalid "
        "continuation byte). Open it in your editor and save it as UTF-8."
    )


# -- replay and language -----------------------------------------------------------------------
def _without_timings(report_json: str) -> str:
    data = json.loads(report_json)
    data["duration_s"] = 0
    for t in data["transcripts"]:
        t["duration_s"] = 0
        t["ending"] = re.sub(r"\d+\.\d\d s", "T", t["ending"])
        for e in t["events"]:
            e["at_s"] = 0 if e["at_s"] is not None else None
    for c in data["checks"] + data["tests"]:
        c["observed"] = re.sub(r"ended in \d+\.\d\d s", "ended in T", c["observed"])
    return json.dumps(data, sort_keys=True)


def test_one_seed_replays_the_same_report(fast: Grader) -> None:
    path = SUBMISSIONS / "p4" / "fail_replies_on_one_line.py"
    first = json_format.render([fast.grade(path, 4, seed=12345)])
    second = json_format.render([fast.grade(path, 4, seed=12345)])
    assert json.loads(first)["seed"] == 12345
    assert _without_timings(first) == _without_timings(second)
    other = json_format.render([fast.grade(path, 4, seed=54321)])
    assert _without_timings(other) != _without_timings(first)


def test_every_report_records_its_seed(fast: Grader) -> None:
    report = fast.grade(SUBMISSIONS / "p3" / "pass_with_block_localhost.py", 3)
    assert isinstance(report.seed, int)
    assert f"seed {report.seed}" in render([report])


def test_a_flood_of_segments_is_summed_up(fast: Grader, script: Callable[..., Path]) -> None:
    report = _grade(
        fast,
        script,
        """
        import socket
        s = socket.socket()
        s.connect(('127.0.0.1', 9090))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(3000):
            s.send(b'x')
        s.close()
        """,
        2,
    )
    (transcript,) = report.transcripts
    assert len(transcript.events) <= 100
    assert report.diagnosis is not None and report.diagnosis.hint_key == "sent_constant"
    assert len(render([report]).splitlines()) <= 20
