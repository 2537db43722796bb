"""The exact feedback a learner reads for typical mistakes, pinned word for word.

Each test grades a real script and compares the text report (less its header line with path and
time). A change to these texts is a change to what learners see: make it on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.api import Grader
from grader.render.text_format import render


def feedback(grader: Grader, path: Path, problem: int) -> str:
    text = render([grader.grade(path, problem, seed=7)], colour=False)
    body = text.split("\n", 2)[2]  # the verdict line and the path/time line vary
    return body.replace(str(path), "<script>")


def test_trailing_newline(grader: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        s = socket.socket()
        s.connect(('127.0.0.1', 9090))
        s.send('Wake up, Neo\\n'.encode())
        s.close()
        """
    )
    assert (
        feedback(grader, path, 2)
        == """
wake up
  ✓ connects once to 127.0.0.1:9090
  ✗ sends exactly b'Wake up, Neo'
      expected  b'Wake up, Neo'
      observed  b'Wake up, Neo\\n'
                              ^
      try       The message ends with a newline (b'\\n'), but messages carry none. input() returns
                the line without it; after sys.stdin.readline(), strip it: line.rstrip('\\n').
  - closes the connection itself (not judged: needs “sends exactly b'Wake up, Neo'” first)
  ✓ ends cleanly within 5 s
"""
    )


def test_socket_left_to_the_interpreter(grader: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        def knock():
            s = socket.socket()
            s.connect(('127.0.0.1', 9090))
        knock()
        """
    )
    assert (
        feedback(grader, path, 1)
        == """
knock
  ✓ connects once to 127.0.0.1:9090
  ✓ sends nothing
  ✗ closes the connection itself
      expected  the program closes its socket (close() or a with block); the server sees FIN
      observed  the script never closed it: the interpreter discarded the socket once nothing referred to it (no close(), no with block)
      try       The socket was never closed by the program: the connection ended only when the
                interpreter exited. Call client_socket.close() when done, or use `with
                socket.socket() as client_socket:`, whose end closes it.
  ✓ ends cleanly within 5 s
"""
    )


def test_unhandled_refusal(grader: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('localhost', 9090))
            s.send(b'Wake up, Neo')
            print(s.recv(1024).decode())
        """
    )
    assert (
        feedback(grader, path, 5)
        == """
server up
  ✓ connects once to 127.0.0.1:9090
  ✓ sends exactly b'Wake up, Neo'
  ✓ prints the reply
  ✓ closes the connection itself
  ✓ ends cleanly within 5 s

server down
  ✗ prints exactly 'Connection refused'
      expected  'Connection refused'
      observed  ''
                 ^
      try       Nothing listened, and the ConnectionRefusedError was not caught. Wrap the connection
                in try: ... except ConnectionRefusedError: print('Connection refused').
  ✗ ends cleanly within 5 s
      expected  the program ends by itself within 5 s, with exit status 0
      observed  an uncaught ConnectionRefusedError: [Errno 111] Connection refused
                Traceback (most recent call last):
                  File "<script>", line 3, in <module>
                    s.connect(('localhost', 9090))
                ConnectionRefusedError: [Errno 111] Connection refused
      try       Nothing listened, and the ConnectionRefusedError was not caught. Wrap the connection
                in try: ... except ConnectionRefusedError: print('Connection refused').
"""
    )


def test_wrong_port_is_named(grader: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9091))
            s.send('Wake up, Neo'.encode())
        """
    )
    report = grader.grade(path, 2)
    connected = report.checks[0]
    assert (connected.name, connected.status) == ("connected", "failed")
    assert connected.observed == (
        "no connection; the program asked for 127.0.0.1:9091 (ConnectionRefusedError)"
    )
    assert connected.hint.startswith(
        "Your program connected to 127.0.0.1:9091; the server listens on 127.0.0.1 port 9090."
    )


def test_reply_printed_as_bytes(grader: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        with socket.socket() as s:
            s.connect(('127.0.0.1', 9090))
            s.send(input().encode())
            print(s.recv(1024))
        """
    )
    report = grader.grade(path, 3, seed=7)
    output = next(c for c in report.checks if c.name == "output")
    reply = output.expected[1:-1]  # the random reply, as the str literal shows it
    assert output.status == "failed"
    assert output.observed.startswith("\"b'")
    assert output.marker == " ^"
    assert output.hint == (
        "The reply was printed as bytes (b'...'). Decode it first: print(data.decode())."
    )
    assert reply and "b'" not in reply


def test_str_passed_to_send(grader: Grader, script: Callable[..., Path]) -> None:
    path = script(
        """
        import socket
        s = socket.socket()
        s.connect(('127.0.0.1', 9090))
        s.send('Wake up, Neo')
        s.close()
        """
    )
    report = grader.grade(path, 2)
    sent = next(c for c in report.checks if c.name == "sent")
    assert (sent.expected, sent.observed) == ("b'Wake up, Neo'", "b''")
    assert sent.hint.startswith("send() needs bytes, not a str (TypeError: a bytes-like object")
    assert [c.status for c in report.checks] == ["passed", "failed", "skipped", "failed"]
