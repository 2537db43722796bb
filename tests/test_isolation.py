"""Each grading gets its own 127.0.0.1:9090: with 9090 taken, many at once, in both modes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.api import Grader
from grader.config import Config
from tests.conftest import SAMPLES, SUBMISSIONS, expectation
from tests.machine import need

P3 = SUBMISSIONS / "p3" / "pass_with_block_localhost.py"
P5 = SUBMISSIONS / "p5" / "pass_connect_ex_check.py"
P2_FAIL = SUBMISSIONS / "p2" / "fail_trailing_newline.py"


@pytest.fixture
def decoy() -> Iterator[None]:
    """Something else listening on 127.0.0.1:9090, answering every connection with a lie."""
    try:
        listener = socket.create_server(("127.0.0.1", 9090))
    except OSError:
        yield  # already taken by another program: the case under test all the same
        return
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(1024)
                    conn.sendall("DECOY reply ✗".encode())
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.fixture(scope="module", params=["namespace", "routed"])
def each_mode(request: pytest.FixtureRequest) -> Grader:
    if request.param == "namespace":
        need("namespaces")
    grader = Grader.create(Config(isolation="auto" if request.param == "namespace" else "routed"))
    if grader.isolation != request.param:
        pytest.skip(f"{request.param} mode is not available on this machine")
    return grader


def test_many_at_once_with_9090_taken(each_mode: Grader, decoy: None) -> None:
    files = [P3, P5, P2_FAIL] * 6
    problems = {P3: 3, P5: 5, P2_FAIL: 2}
    want = {P3: "pass", P5: "pass", P2_FAIL: "fail"}
    results = []
    for problem in (2, 3, 5):
        batch = [f for f in files if problems[f] == problem]
        results.extend(each_mode.grade_many(batch, problem, jobs=8))
    assert len(results) == len(files)
    for report in results:
        path = Path(report.submission)
        assert report.verdict == want[path], report


SAMPLE_FILES = sorted(SAMPLES.glob("p*.py")) if SAMPLES.is_dir() else []


@pytest.mark.skipif(not SAMPLE_FILES, reason="the shared samples are not beside this checkout")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_routed_mode_gives_the_same_verdicts(path: Path) -> None:
    grader = Grader.create(Config(isolation="routed"))
    assert grader.grade(path, int(path.name[1])).verdict == expectation(path)


def test_refusal_is_certain_while_others_listen(each_mode: Grader, decoy: None) -> None:
    reports = list(each_mode.grade_many([P5] * 8, 5, jobs=8))
    down = [c for r in reports for c in r.checks if c.run == "server down"]
    assert down and all(c.passed for c in down), [c for c in down if not c.passed]
