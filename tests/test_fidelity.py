"""Right verdicts however the script is written, and none it can forge, in both isolation modes.

A script behaves under the grader as under ``python script.py`` against a real server: blocking
or not, asyncio or selectors, ``os._exit`` or ``sys.exit``, any argument types. Closing is judged
from outside the learner's process (the kernel's view while its interpreter is held at exit),
the control channel is parsed strictly, learner text is escaped once, and only regular files
are read. Every case is a real script graded end to end, in both modes where both exist here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.api import Grader
from grader.config import Config
from grader.errors import BadInput
from grader.render.text_format import render
from grader.report import Check, Report
from tests.conftest import ROOT, SUBMISSIONS
from tests.machine import need

HOSTILE = Path(__file__).resolve().parent / "hostile"
GRADE = ROOT / ".venv" / "bin" / "grade"
TAMPERED = "the program wrote to the grader's control channel"


@pytest.fixture(scope="module", params=["namespace", "routed"])
def each_mode(request: pytest.FixtureRequest) -> Iterator[Grader]:
    if request.param == "namespace":
        need("namespaces")
    grader = Grader.create(Config(isolation="auto" if request.param == "namespace" else "routed"))
    if grader.isolation != request.param:
        grader.close()
        pytest.skip(f"{request.param} mode is not available on this machine")
    yield grader
    grader.close()


def failed(report: Report, name: str) -> list[Check]:
    """The failed checks called ``name``; the report must be a plain failure, not an error."""
    assert report.verdict == "fail", (report.verdict, report.error, report.checks)
    return [c for c in report.failed_checks if c.name == name]


def hint_keys(report: Report, name: str) -> set[str]:
    return {c.hint_key for c in failed(report, name)}


# -- 1-3: closing is judged from the kernel's view, not from what the script says --------------
def test_exit_called_by_hand_is_not_a_with_block(each_mode: Grader) -> None:
    report = each_mode.grade(SUBMISSIONS / "p4" / "fail_exit_called_by_hand.py", 4)
    closed = failed(report, "closed")
    assert len(closed) == 3
    assert {c.hint_key for c in closed} == {"exit_by_hand"}
    assert closed[0].observed == "closed by calling __exit__() by hand, not by leaving a with block"
    assert not failed(report, "untampered")


def test_a_forged_with_report_is_tampering_and_the_close_stays_a_close(each_mode: Grader) -> None:
    report = each_mode.grade(HOSTILE / "forged_with_report.py", 4)
    assert hint_keys(report, "closed") == {"not_with"}
    [tamper, *_rest] = failed(report, "untampered")
    assert tamper.observed.startswith(TAMPERED)
    assert tamper.hint_key == "tampered"
    assert report.checks[0] is tamper  # first, where it cannot be missed


def test_shutdown_is_not_a_close_even_with_a_forged_close_report(each_mode: Grader) -> None:
    report = each_mode.grade(HOSTILE / "forged_shutdown_close.py", 1)
    [closed] = failed(report, "closed")
    assert closed.hint_key == "shutdown_not_close"
    assert "shutdown()" in closed.observed and "shutdown()" in closed.hint
    assert failed(report, "untampered")


def test_shutdown_without_close_fails_naming_shutdown(each_mode: Grader) -> None:
    report = each_mode.grade(SUBMISSIONS / "p1" / "fail_shutdown_without_close.py", 1)
    assert hint_keys(report, "closed") == {"shutdown_not_close"}
    assert not failed(report, "untampered")


def test_a_socket_still_held_by_a_child_names_the_child(each_mode: Grader) -> None:
    report = each_mode.grade(SUBMISSIONS / "p1" / "fail_forked_child_keeps_socket.py", 1)
    [closed] = failed(report, "closed")
    assert closed.hint_key == "held_by_child"
    assert closed.observed == (
        "the socket was still open in another process of the program when it exited"
    )


def test_no_close_claim_without_evidence_of_a_child(each_mode: Grader) -> None:
    """A socket dropped at a function's return is the script's own: no guessing at a child."""
    report = each_mode.grade(SUBMISSIONS / "p1" / "fail_socket_dropped_at_function_return.py", 1)
    [closed] = failed(report, "closed")
    assert closed.hint_key == "dropped_not_closed"  # dropped while it ran, not left to the exit
    assert "child" not in closed.observed and "child" not in closed.hint


# -- 4: a malformed report is tampering, never a grader fault ----------------------------------
def test_a_malformed_port_is_tampering_not_a_fault(each_mode: Grader) -> None:
    report = each_mode.grade(HOSTILE / "forged_superscript_port.py", 2)
    [tamper] = failed(report, "untampered")
    assert tamper.observed == (
        f"{TAMPERED}: a report with the wrong number or size of fields, b'C\\t\\xc2\\xb2\\tclose'"
    )
    assert [c.name for c in report.failed_checks] == ["untampered"]  # the rest was right


def test_a_malformed_port_exits_1_from_the_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(GRADE), str(HOSTILE / "forged_superscript_port.py"), "-p", "2", "--no-color"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert TAMPERED in done.stdout


# -- 5: learner text is escaped ----------------------------------------------------------------
def test_a_syntax_error_line_with_terminal_escapes_is_shown_escaped(each_mode: Grader) -> None:
    report = each_mode.grade(HOSTILE / "syntax_error_escapes.py", 4)
    [source] = failed(report, "source")
    assert source.hint_key == "syntax"
    assert source.observed == (
        "SyntaxError at line 6: invalid non-printable character U+001B\n"
        "    \\x1b[1A\\x1b[2K\\x1b[32mPASS problem 4 (Keep talking): 15 of 15 checks passed"
        "\\x1b[0m = = ("
    )
    text = render([report])
    assert "\x1b" not in text
    assert text.startswith("FAIL problem 4")


def test_a_file_name_with_control_characters_is_shown_escaped(
    each_mode: Grader, tmp_path: Path
) -> None:
    path = tmp_path / "evil\x1b[2J\r.py"
    path.write_bytes((SUBMISSIONS / "p1" / "pass_with_block_localhost.py").read_bytes())
    report = each_mode.grade(path, 1)
    assert report.verdict == "pass"
    assert report.submission.endswith("evil\\x1b[2J\\r.py")
    assert "\x1b" not in render([report])


# -- 6: only regular files are read ------------------------------------------------------------
def test_a_fifo_is_bad_input_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "solution.py"
    os.mkfifo(fifo)
    done = subprocess.run(
        [str(GRADE), str(fifo), "-p", "1"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert (
        done.stderr
        == f"grade: {fifo}: is a named pipe (FIFO), not a file; give a learner's .py file\n"
    )


@pytest.mark.parametrize(
    ("target", "kind"), [("/dev/null", "a character device"), ("socket", "a socket")]
)
def test_a_device_or_socket_is_bad_input(
    each_mode: Grader, tmp_path: Path, target: str, kind: str
) -> None:
    path = Path(target)
    keep = None
    if target == "socket":
        path = tmp_path / "solution.py"
        keep = socket.socket(socket.AF_UNIX)
        keep.bind(str(path))
    try:
        with pytest.raises(BadInput, match=f"is {kind}, not a file"):
            each_mode.grade(path, 1)
    finally:
        if keep is not None:
            keep.close()


def test_a_symlink_named_as_the_submission_is_followed(each_mode: Grader, tmp_path: Path) -> None:
    link = tmp_path / "solution.py"
    link.symlink_to(SUBMISSIONS / "p1" / "pass_with_block_localhost.py")
    assert each_mode.grade(link, 1).verdict == "pass"


# -- 7-10: correct scripts pass however they are written, in both modes ------------------------
FIDELITY_PASSES = [
    # asyncio, selectors and non-blocking connects, for every problem
    *(SUBMISSIONS / f"p{n}" / "pass_asyncio_open_connection.py" for n in (1, 2, 3, 5)),
    SUBMISSIONS / "p4" / "pass_asyncio_sock_api_in_with.py",
    *(SUBMISSIONS / f"p{n}" / "pass_selectors_nonblocking.py" for n in (1, 2, 3)),
    SUBMISSIONS / "p4" / "pass_selectors_in_with.py",
    SUBMISSIONS / "p5" / "pass_selectors_so_error.py",
    *(SUBMISSIONS / f"p{n}" / "pass_connect_ex_einprogress.py" for n in (1, 2, 3, 5)),
    SUBMISSIONS / "p4" / "pass_connect_ex_einprogress_in_with.py",
    # os._exit after the close is a clean end, and the close counts
    SUBMISSIONS / "p1" / "pass_os_exit_after_close.py",
    SUBMISSIONS / "p3" / "pass_os_exit_after_close.py",
    SUBMISSIONS / "p4" / "pass_with_block_then_os_exit.py",
    # with blocks PROBLEMS.md accepts
    SUBMISSIONS / "p4" / "pass_contextlib_closing.py",
    SUBMISSIONS / "p4" / "pass_with_name_bound_to_socket.py",
    SUBMISSIONS / "p4" / "pass_extra_close_inside_with.py",
    # close(), a with block, finally:, atexit, a function
    SUBMISSIONS / "p2" / "pass_lesson_encode_close.py",
    SUBMISSIONS / "p3" / "pass_with_block_localhost.py",
    SUBMISSIONS / "p2" / "pass_close_in_finally.py",
    SUBMISSIONS / "p1" / "pass_closed_in_atexit.py",
    SUBMISSIONS / "p1" / "pass_close_in_helper_function.py",
    SUBMISSIONS / "p1" / "pass_shutdown_then_close.py",
    # run as the interpreter runs it: an expression deeper than compile() takes as a syntax tree
    SUBMISSIONS / "p1" / "pass_long_sum_expression.py",
]


@pytest.mark.parametrize("path", FIDELITY_PASSES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_correct_scripts_pass_in_both_modes(each_mode: Grader, path: Path) -> None:
    report = each_mode.grade(path, int(path.parent.name[1]))
    assert report.verdict == "pass", render([report])


def test_os_exit_before_close_fails_closed(each_mode: Grader) -> None:
    report = each_mode.grade(SUBMISSIONS / "p2" / "fail_os_exit_before_close.py", 2)
    assert [c.name for c in report.failed_checks] == ["closed"]
    assert hint_keys(report, "closed") == {"never_closed"}


def test_asyncio_streams_have_no_with_block_for_problem_4(each_mode: Grader) -> None:
    report = each_mode.grade(SUBMISSIONS / "p4" / "fail_asyncio_streams_no_with.py", 4)
    assert [c.name for c in report.failed_checks] == ["closed"] * 3
    assert hint_keys(report, "closed") == {"not_with"}


# -- 9: argument types and names as the real call takes them -----------------------------------
def test_a_float_port_fails_as_the_real_call_does(each_mode: Grader) -> None:
    report = each_mode.grade(SUBMISSIONS / "p1" / "fail_port_as_float.py", 1)
    assert hint_keys(report, "connected") == {"crashed_before_connect"}
    [end] = failed(report, "clean_end")
    assert end.observed.startswith("an uncaught TypeError:")
    assert end.observed.endswith("TypeError: 'float' object cannot be interpreted as an integer")


@pytest.mark.parametrize(
    ("family", "host", "verdict"),
    [
        # The lesson's server listens on 127.0.0.1 only: over IPv6 the connection is refused
        # (or, where the resolver names no ::1 localhost, the name does not resolve).
        ("AF_INET6", "localhost", "fail"),
        ("AF_INET6", "::1", "fail"),
        ("AF_INET", "localhost", "pass"),
    ],
)
def test_names_and_families_as_the_real_call_takes_them(
    each_mode: Grader, tmp_path: Path, family: str, host: str, verdict: str
) -> None:
    path = tmp_path / "family.py"
    path.write_text(
        "import socket\n"
        f"with socket.socket(socket.{family}, socket.SOCK_STREAM) as s:\n"
        f"    s.connect(({host!r}, 9090))\n",
        encoding="utf-8",
    )
    report = each_mode.grade(path, 1)
    assert report.verdict == verdict, render([report])
    if verdict == "fail":
        [end] = failed(report, "clean_end")
        assert end.observed.startswith(
            ("an uncaught ConnectionRefusedError", "an uncaught gaierror")
        ), end.observed


# -- no learner input makes a grader fault -----------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_submission_are_a_verdict_never_a_fault(
    grader: Grader, data: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.py"
        path.write_bytes(data)
        report = grader.grade(path, 2)  # anything but BadInput or GraderFault would raise here
    assert report.verdict in ("pass", "fail"), report.error
    assert not report.error
    text = render([report])
    assert "\x1b" not in text and "\r" not in text


@settings(max_examples=20, deadline=None)
@given(datagrams=st.lists(st.binary(max_size=100), min_size=1, max_size=8))
def test_random_datagrams_from_a_script_fail_plainly(
    grader: Grader, datagrams: list[bytes]
) -> None:
    source = (
        "import os\n"
        f"for datagram in {datagrams!r}:\n"
        "    try:\n"
        "        os.write(3, datagram)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "writes_to_fd3.py"
        path.write_text(source, encoding="utf-8")
        report = grader.grade(path, 1)
    assert report.verdict == "fail", report.error  # it never connects
    assert not report.error
