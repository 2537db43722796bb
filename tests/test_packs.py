"""Problem packs: a teacher's own problems, found, validated, self-tested and graded like the
lesson's five, with hidden runs that no learner-facing format shows."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.problem.spec import CHECK_NAMES, RUN_KEYS, TOP_KEYS
from tests.conftest import ROOT
from tests.queue_support import RedisServer, Workers, redis_server_binary

PACK = ROOT / "examples" / "pack"
SCHEMA = ROOT / "grader" / "schema" / "problem.schema.json"


def grade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )


# -- the packs check themselves ------------------------------------------------------------------
@pytest.mark.parametrize("pack", [[], [str(PACK)]], ids=["built-in", "example"])
def test_the_built_in_and_example_packs_pass_check_pack(pack: list[str]) -> None:
    result = grade("check-pack", *pack)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(("ok ", "BAD "))]
    assert rows and all(row.startswith("ok ") for row in rows)
    assert result.stdout.endswith(f"all {len(rows)} files got what they must\n")
    if pack:  # three problems, each with solutions and mistakes naming their hint keys
        assert {row.split()[2] for row in rows} == {"sum-quiz", "http-get", "greeting"}
        assert "fail output/stopped_reading" in result.stdout


def test_every_spec_shipped_follows_the_json_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    specs = sorted((ROOT / "problems").glob("*.yaml")) + sorted(PACK.glob("*/problem.yaml"))
    assert len(specs) == 8
    for path in specs:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    # The schema and the validator know the same keys and checks.
    assert set(schema["properties"]) == TOP_KEYS
    assert set(schema["$defs"]["run"]["properties"]) == RUN_KEYS
    assert schema["$defs"]["run"]["properties"]["checks"]["items"]["enum"] == list(CHECK_NAMES)


def _copy_greeting(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(PACK / "greeting", pack / "greeting")
    return pack


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("hidden: true\n", "hidden: maybe\n", "runs[1].hidden = 'maybe'; use true or false"),
        ("title: Answer the greeting\n", "title: Answer the greeting\ncolour: blue\n",
         "unknown key 'colour'; known: "),
        ("  server: up\n", "  server: sideways\n", "defaults.server = 'sideways'; use up or down"),
        ("[connected, sent,", "[connected, telepathy,",
         "defaults.checks names an unknown check 'telepathy'; known: "),
        ("title: Answer the greeting\n", "title: [Answer the greeting\n",
         "not valid YAML"),
        ("problem: 103\n", "problem: one-hundred\n",
         "problem = 'one-hundred': it must be a whole number from 1"),
        ("server: server.py\n", "server: nowhere.py\n", "server: nowhere.py not found in"),
        ("  - name: first visit\n", "  - name: first visit\n    connections: -1\n",
         "runs[0].connections = -1; it must be a whole number from 0"),
    ],
)  # fmt: skip
def test_a_malformed_spec_is_exit_2_naming_its_file_line_and_fix(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    pack = _copy_greeting(tmp_path)
    spec = pack / "greeting" / "problem.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    spec.write_text(changed, encoding="utf-8")
    changed_line = next(
        n
        for n, (a, b) in enumerate(zip(changed.splitlines(), text.splitlines(), strict=False), 1)
        if a != b
    )
    result = grade("check-pack", str(pack))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    where, _, said = first.removeprefix("grade check-pack: ").partition(": ")
    assert where.rsplit(":", 1) == [str(spec), str(changed_line)] or (
        # A key of the defaults is named where the defaults set it.
        "defaults." in message and where.startswith(f"{spec}:")
    ), first
    assert message in said, first
    # Grading with the pack says the same, in one line, exit 2.
    solution = PACK / "greeting" / "solutions" / "pass_recv_loop.py"
    graded = grade(str(solution), "-p", "greeting", "--problems", str(pack))
    assert graded.returncode == 2 and "Traceback" not in graded.stderr
    assert message in graded.stderr


# -- bad packs: the teacher's fault, never the learner's ---------------------------------------
ECHO_SPEC = """
problem: 201
name: echo
title: Echo
server: server.py
defaults: {checks: [connected, sent, output, closed, clean_end], output: replies, close: script}
runs:
  - {name: two lines, stdin: "ab\\n", messages: ["a", "b"]}
"""
ECHO_SOLUTION = """
import socket
with socket.create_connection(("127.0.0.1", 9090)) as s:
    for letter in input():
        s.sendall(letter.encode())
        print(s.recv(1024).decode())
"""
ECHO_SERVER = """
import time
from grader.problem.reference import ReferenceServer

class Server(ReferenceServer):
    replies = True

    def reply(self, message, turn):
        {body}
"""


def _echo_pack(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "bad-pack" / "echo"
    for folder in ("solutions", "mistakes"):
        (root / folder).mkdir(parents=True)
    (root / "problem.yaml").write_text(ECHO_SPEC, encoding="utf-8")
    (root / "server.py").write_text(ECHO_SERVER.format(body=body), encoding="utf-8")
    (root / "solutions" / "pass_echo.py").write_text(ECHO_SOLUTION, encoding="utf-8")
    (root / "mistakes" / "fail_nothing.py").write_text(
        "# fails: connected/never_connected\nprint('hello')\n", encoding="utf-8"
    )
    return root.parent


def test_a_sound_small_pack_passes_and_names_grade_by_name(tmp_path: Path) -> None:
    pack = _echo_pack(tmp_path, "return b'echo ' + message")
    assert grade("check-pack", str(pack)).returncode == 0
    solution = pack / "echo" / "solutions" / "pass_echo.py"
    by_name = grade(str(solution), "--problem", "echo", "--problems", str(pack))
    assert by_name.returncode == 0, by_name.stdout + by_name.stderr
    assert by_name.stdout.startswith("PASS problem 201 (Echo)")


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (
            "raise ValueError('no such turn')",
            "the server's reply() raised ValueError: no such turn",
        ),
        ("time.sleep(60)", "the server's reply() did not return within 2 s; fix its loop or wait"),
        ("return 'a str'", "the server's reply is str, not bytes"),
    ],
    ids=["raises", "hangs", "not-bytes"],
)
def test_a_reference_server_at_fault_is_a_pack_error_never_the_learners(
    tmp_path: Path, body: str, fault: str
) -> None:
    pack = _echo_pack(tmp_path, body)
    checked = grade("check-pack", str(pack))
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
    assert f"run 'two lines' (seed 0): {fault}" in checked.stderr
    # At grading time: a grader fault (exit 3) that names the problem and its pack.
    solution = pack / "echo" / "solutions" / "pass_echo.py"
    graded = grade(str(solution), "-p", "echo", "--problems", str(pack))
    said = graded.stdout + graded.stderr
    assert graded.returncode == 3, said
    assert f"problem 201 (echo) of pack {pack}: run 'two lines' (seed 0): {fault}" in said
    assert "FAIL" not in said and "Traceback" not in said


def test_a_server_that_closes_before_the_conversation_ends_is_a_pack_error(
    tmp_path: Path,
) -> None:
    pack = _echo_pack(
        tmp_path, "return b'bye'\n\n    def closes_after(self, reply):\n        return True"
    )
    checked = grade("check-pack", str(pack))
    assert checked.returncode == 2
    fault = (
        "run 'two lines' (seed 0): the server closed its side after 1 replies, before message 2 "
        "of 2; a correct client could not finish"
    )
    assert fault in checked.stderr
    # At grading time the problem is refused before any learner is failed by it.
    solution = pack / "echo" / "solutions" / "pass_echo.py"
    graded = grade(str(solution), "-p", "echo", "--problems", str(pack))
    assert graded.returncode == 3
    assert graded.stderr == (
        f"grade: grader fault: problem 201 (echo) of pack {pack}: {fault}; check the pack with "
        "grade check-pack\n"
    )


def test_a_packs_problems_are_listed_and_shown_with_their_conversation() -> None:
    listed = grade("--list", "--problems", str(PACK))
    assert (
        "Problem 101: Sum quiz\n" in listed.stdout and "Problem 5: Nobody home\n" in listed.stdout
    )
    shown = grade("--show", "greeting", "--problems", str(PACK))
    assert shown.returncode == 0, shown.stderr
    example = shown.stdout.split("Example (run “first visit”):\n", 1)[1].splitlines()[:4]
    assert [line.split()[0] for line in example] == ["server", "sends", "server", "prints"]
    code = example[0].split()[-1].removesuffix("\\n'")
    assert example[1].endswith(f"b'HELLO {code}\\n'")


# -- hidden runs -------------------------------------------------------------------------------
HIDDEN = "/exam/q7-answers"  # the hidden run's input, in examples/pack/http-get/problem.yaml
ONLY_HIDDEN_FAILS = """
import socket
path = input()
request = f"GET {path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n"
if path.startswith("/exam"):
    request = request.replace("GET", "POST")
with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(request.encode())
    with sock.makefile("rb") as stream:
        print(stream.read().partition(b"\\r\\n\\r\\n")[2].decode())
"""


def _leaks(text: str) -> bool:
    words = ("q7-answers", "exam/q7", "POST")
    return any(word in text for word in words)


@pytest.mark.parametrize("which", ["only-hidden-fails", "all-fail"])
def test_a_hidden_runs_inputs_appear_in_no_learner_facing_format(
    tmp_path: Path, which: str
) -> None:
    if which == "all-fail":
        submission = PACK / "http-get" / "mistakes" / "fail_reads_once.py"
    else:
        submission = tmp_path / "client.py"
        submission.write_text(ONLY_HIDDEN_FAILS, encoding="utf-8")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    common = (str(submission), "-p", "http-get", "--problems", str(PACK), "--seed", "7")
    shown: dict[str, str] = {}
    for fmt in ("text", "json", "junit", "html", "gradescope", "classroom"):
        result = grade(*common, "-f", fmt, "--verbose", env=env)
        assert result.returncode == 1, result.stderr
        shown[fmt] = result.stdout
        shown[f"{fmt} annotations"] = result.stderr
    shown["classroom decoded"] = base64.b64decode(shown["classroom"].strip()).decode()
    shown["job summary"] = summary.read_text(encoding="utf-8")
    for where, text in shown.items():
        assert not _leaks(text), where
    # Graded and scored, shown by title: the hidden run is there, its checks scored.
    report = json.loads(shown["json"])
    hidden = [c for c in report["checks"] if c["run"] == "a path of the exam"]
    assert len(hidden) == 5 and all(c["hidden"] and not c["expected"] for c in hidden)
    assert "a path of the exam" in shown["text"] and "a path of the exam" in shown["html"]
    assert all(t["run"] != "a path of the exam" for t in report["transcripts"])
    tests = json.loads(shown["gradescope"])["tests"]
    assert {t["visibility"] for t in tests if "a path of the exam" in t["name"]} == {
        "after_due_date"
    }
    if which == "only-hidden-fails":
        assert report["score"] < report["max_score"]
        hint = "This test is hidden: its input and what crossed the wire are not shown."
        assert hint in shown["text"]


def test_gradescope_grades_a_pack_problem_and_shows_hidden_tests_after_the_due_date(
    tmp_path: Path,
) -> None:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copytree(PACK, root / "source" / "my-pack")
    (root / "source" / "grader.env").write_text(
        "GRADER_PROBLEM=greeting\nGRADER_PROBLEMS=my-pack\n"
    )
    shutil.copy(PACK / "greeting" / "solutions" / "pass_recv_loop.py", root / "submission")
    result = subprocess.run(
        [str(ROOT / "integrations" / "gradescope" / "run_autograder")],
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 100, data
    seen = {(t["name"].split(":")[0], t["visibility"]) for t in data["tests"]}
    assert seen == {("first visit", "visible"), ("second visit", "after_due_date")}


# -- where packs come from ---------------------------------------------------------------------
def test_grader_toml_problems_paths_select_a_pack(tmp_path: Path) -> None:
    config = tmp_path / "grader.toml"
    config.write_text(f'[problems]\npaths = ["{os.path.relpath(PACK, tmp_path)}"]\n')
    solution = PACK / "sum-quiz" / "solutions" / "pass_recv_buffer.py"
    result = grade(str(solution), "-p", "sum-quiz", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("PASS problem 101 (Sum quiz): 15 of 15 checks passed")
    unknown = grade(str(solution), "-p", "sum-quiz")
    assert unknown.returncode == 2
    assert "unknown problem sum-quiz: no pack holds it" in unknown.stderr


ECHO_TWICE = {
    "tinypack/__init__.py": '"""A pack shipped as a distribution: this folder is the pack."""\n',
    "tinypack/echo-twice/problem.yaml": textwrap.dedent("""\
        problem: 301
        title: Echo twice
        server: server.py
        task: Send the line you read; print the reply.
        defaults: {checks: [connected, sent, output, closed, clean_end], output: replies}
        runs:
          - {name: hello, stdin: "hello\\n", messages: [hello]}
        """),
    "tinypack/echo-twice/server.py": textwrap.dedent("""\
        from grader.problem.reference import ReferenceServer

        class Server(ReferenceServer):
            replies = True

            def reply(self, message, turn):
                return message + b" " + message
        """),
}


def _wheel(folder: Path) -> Path:
    """A tiny wheel, written by hand: a package and its entry point in our group."""
    dist = "tinypack_dist-0.1.dist-info"
    files = {
        **ECHO_TWICE,
        f"{dist}/METADATA": "Metadata-Version: 2.1\nName: tinypack-dist\nVersion: 0.1\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{dist}/entry_points.txt": "[socket_grader.packs]\ntiny = tinypack\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    path = folder / "tinypack_dist-0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in {**files, f"{dist}/RECORD": "\n".join(record) + "\n"}.items():
            wheel.writestr(name, text)
    return path


def test_a_pack_installed_as_a_distribution_is_found_by_its_entry_point(tmp_path: Path) -> None:
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", str(target), str(_wheel(tmp_path))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    client = tmp_path / "client.py"
    client.write_text(
        "import socket\nwith socket.create_connection(('127.0.0.1', 9090)) as s:\n"
        "    s.sendall(input().encode())\n    print(s.recv(1024).decode())\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    for problem in ("echo-twice", "301"):
        result = grade(str(client), "-p", problem, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("PASS problem 301 (Echo twice)")
    assert grade(str(client), "-p", "echo-twice").returncode == 2  # not installed here


# -- queue workers -----------------------------------------------------------------------------
@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    pytest.importorskip("dramatiq", reason="the queue's extra is not installed")
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server: install Debian's redis-server or the test extra")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.stop()


def test_queue_workers_grade_pack_problems_given_the_same_problems(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    from grader.queue import Client

    workers = Workers(redis_server.url, tmp_path, "--threads", "2", "--problems", str(PACK))
    try:
        solution = PACK / "greeting" / "solutions" / "pass_read_lines.py"
        mistake = PACK / "greeting" / "mistakes" / "fail_hello_without_code.py"
        with Client(redis_server.url) as client:
            passed = client.result(client.submit(solution, problem=103), timeout=60)
            failed = client.result(client.submit(mistake, problem=103), timeout=60)
        assert (passed.verdict, passed.problem, passed.title) == (
            "pass",
            103,
            "Answer the greeting",
        )
        assert failed.verdict == "fail" and failed.diagnosed is not None
        assert failed.diagnosed.hint_key == "not_from_reply"
        # The command line names the problem; the job carries its number.
        remote = grade(
            str(solution), "-p", "greeting", "--problems", str(PACK), "--broker", redis_server.url
        )
        assert remote.returncode == 0, remote.stdout + remote.stderr
        assert remote.stdout.startswith("PASS problem 103 (Answer the greeting)")
    finally:
        workers.stop()
