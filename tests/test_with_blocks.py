"""Which ``with`` statements are over a socket: the source half of "closed by its with block"."""

from __future__ import annotations

import textwrap

import pytest

from grader.judge.with_blocks import socket_with_spans

# (source, the first lines of the with statements that are over a socket)
CASES = [
    ("import socket\nwith socket.socket() as s:\n    pass\n", {2}),
    ("import socket as so\nwith so.socket(so.AF_INET) as s:\n    pass\n", {2}),
    ("import socket\nwith socket.create_connection(('localhost', 9090)) as s:\n    pass\n", {2}),
    ("from socket import socket\nwith socket() as s:\n    pass\n", {2}),
    ("from socket import *\nwith socket(AF_INET, SOCK_STREAM) as s:\n    pass\n", {2}),
    (
        "import contextlib, socket\nwith contextlib.closing(socket.socket()) as s:\n    pass\n",
        {2},
    ),
    (
        "from contextlib import closing\nimport socket\nwith closing(socket.socket()) as s:\n"
        "    pass\n",
        {3},
    ),
    ("import socket\ns = socket.socket()\nwith s:\n    pass\n", {3}),
    ("import socket\ns = socket.socket()\nt = s\nwith t:\n    pass\n", {4}),
    (
        "import socket\nclass C:\n    def go(self):\n        self.sock = socket.socket()\n"
        "        with self.sock:\n            pass\n",
        {5},
    ),
    # not over a socket
    ("with open('f') as f:\n    pass\n", set()),
    ("import socket\ns = socket.socket()\ns.__exit__(None, None, None)\n", set()),
    ("import socket\nwith socket.gethostname() as h:\n    pass\n", set()),
    ("import contextlib\nwith contextlib.closing(open('f')) as f:\n    pass\n", set()),
    ("socket = object()\nwith socket.socket() as s:\n    pass\n", set()),  # no import socket
    ("def f(:\n", set()),  # does not parse
]


@pytest.mark.parametrize(("source", "lines"), CASES)
def test_with_statements_over_a_socket(source: str, lines: set[int]) -> None:
    assert {span[0] for span in socket_with_spans(source)} == lines


def test_the_span_is_the_whole_with_statement() -> None:
    source = textwrap.dedent(
        """\
        import socket
        with socket.socket() as s:
            s.close()
        """
    )
    # As Python's code positions give the end of a with block: first and last line, columns.
    assert socket_with_spans(source) == {(2, 3, 0, 13)}


def test_a_deeply_nested_attribute_does_not_raise() -> None:
    source = "import socket\nwith " + ".".join(["a"] * 5000) + ":\n    pass\n"
    assert socket_with_spans(source) == frozenset()
