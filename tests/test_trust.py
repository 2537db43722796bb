"""Nothing of the grader or of other learners reaches a run; nothing a run says decides a verdict.

Each case is a real hostile script (``tests/hostile/trust_*.py``) graded end to end in namespace
mode, as this process's user (root here and in CI) and, where the machine allows, as an ordinary
user through the ``grade`` command. The verdict rests on what is seen from outside the learner's
processes: the server's view, the kernel's view of the run's sockets while the kernel holds the
script's process in its exit, the exit status the kernel gives, the captured streams.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.api import Grader
from grader.config import Config, Limits
from tests.conftest import ROOT
from tests.machine import as_nobody, need
from tests.test_sandbox import GRADE, HOSTILE, fill, fresh_folder


@pytest.fixture(scope="module")
def shared_folder() -> Iterator[Path]:
    """A folder every user can read (pytest's own temp folders are the owner's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="trust-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


FORMATS = ("text", "json", "html", "junit", "gradescope", "classroom")


def secrets() -> dict[str, str]:
    """What a CI runner or a queue worker holds in its environment."""
    token = uuid.uuid4().hex
    return {
        "SECRET_TOKEN": f"tok-{token}",
        "REDIS_URL": f"redis://:pw-{token}@queue.internal:6379/0",
    }


@pytest.fixture(scope="module")
def secret_env() -> Iterator[dict[str, str]]:
    """The secrets, in this process's environment while a Grader is made and used."""
    values = secrets()
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield values
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@pytest.fixture(scope="module")
def graded_with_secrets(secret_env: dict[str, str]) -> Iterator[Grader]:
    need("namespaces")
    with Grader.create() as grader:
        yield grader


def halves(text: str) -> str:
    """``text`` as the hostile script takes it: cut in two, so the script never holds it whole."""
    cut = len(text) // 2
    return f"{text[:cut]},{text[cut:]}"


def _wanted(secret_env: dict[str, str]) -> str:
    token = secret_env["SECRET_TOKEN"]
    password = secret_env["REDIS_URL"].split("@")[0].split(":")[-1]
    # The checkout's folder: where the grader is installed (not in the run's minimal root).
    wanted = [token, password, "REDIS_URL=", "SECRET_TOKEN=", str(ROOT)]
    return "|".join(halves(w) for w in wanted)


def test_a_run_reads_nothing_of_the_graders_environment_or_install(
    graded_with_secrets: Grader, secret_env: dict[str, str], shared_folder: Path
) -> None:
    path = fill(
        "trust_reads_secrets.py",
        fresh_folder(shared_folder),
        wanted=_wanted(secret_env),
    )
    report = graded_with_secrets.grade(path, 2)
    assert report.verdict == "pass", report.failed_checks
    [transcript] = report.transcripts
    assert transcript.stdout == repr("FOUND nothing\n")


def _cli(argv: list[str], env: dict[str, str], ordinary: bool, cwd: Path) -> tuple[str, str]:
    command = [str(GRADE), *argv]
    done = subprocess.run(
        as_nobody(command) if ordinary else command,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "TMPDIR": str(cwd)},
        cwd=cwd,
        timeout=120,
    )
    assert done.returncode in (0, 1), done
    return done.stdout, done.stderr


@pytest.mark.parametrize("user", ["grader-user", "ordinary-user"])
def test_no_report_format_carries_the_graders_secrets(user: str, shared_folder: Path) -> None:
    need("namespaces")
    if user == "ordinary-user":
        need("ordinary-user")
    env = secrets()
    folder = fresh_folder(shared_folder)
    path = fill("trust_reads_secrets.py", folder, wanted=_wanted(env))
    for fmt in FORMATS:
        out, err = _cli([str(path), "-p", "2", "-f", fmt], env, user == "ordinary-user", folder)
        for name, value in env.items():
            assert value not in out + err, (fmt, name)
        if fmt == "json":
            report = json.loads(out)
            assert report["verdict"] == "pass", report
            assert "FOUND nothing" in json.dumps(report["transcripts"])


def test_a_run_finds_no_earlier_submission_of_a_batch_in_its_memory(shared_folder: Path) -> None:
    folder = fresh_folder(shared_folder)
    markers = [f"classmate{uuid.uuid4().hex[:12]}" for _ in range(3)]
    earlier = []
    for marker in markers:
        path = folder / f"{marker}.py"
        body = (ROOT / "tests/submissions/p2/pass_lesson_encode_close.py").read_text()
        path.write_text(f"# {marker}-source\n{body}")
        earlier.append(path)
    wanted = "|".join(halves(w) for w in [*markers, *(f"{m}-source" for m in markers)])
    scanner = fill("trust_reads_secrets.py", folder, "zz_scanner.py", wanted=wanted)
    need("namespaces")
    with Grader.create() as grader:
        for path in earlier:  # one after another, each before the scanner
            assert grader.grade(path, 2).verdict == "pass"
        report = grader.grade(scanner, 2)
    assert report.verdict == "pass", report.failed_checks
    assert report.transcripts[0].stdout == repr("FOUND nothing\n")


# -- what the script says cannot make a verdict better ------------------------------------------
def test_a_forged_normal_end_does_not_hide_the_exit_status(graded: Grader) -> None:
    report = graded.grade(HOSTILE / "trust_forged_clean_end.py", 2)
    [end] = [c for c in report.checks if c.name == "clean_end"]
    assert end.status == "failed"
    assert end.observed == "exit status 1"


def test_a_forged_exit_hold_is_tampering_and_the_open_socket_stays_open(graded: Grader) -> None:
    report = graded.grade(HOSTILE / "trust_forged_exit_hold.py", 1)
    failed = {c.name: c for c in report.failed_checks}
    assert failed["untampered"].observed.startswith(
        "the program wrote to the grader's control channel: a report of a kind the grader's "
        "sandbox never sends"
    )
    assert failed["closed"].hint_key == "never_closed"
    assert failed["closed"].observed == (
        "still open when the program exited; the connection ended only at interpreter exit"
    )


def test_a_forged_with_report_for_a_with_that_never_ran_is_tampering(graded: Grader) -> None:
    report = graded.grade(HOSTILE / "trust_forged_with_never_ran.py", 4)
    failed = {c.name: c for c in report.failed_checks}
    assert "a close report for a socket closed already" in failed["untampered"].observed
    assert report.verdict == "fail"


def test_a_with_block_over_a_socket_closed_already_is_not_a_with_close(graded: Grader) -> None:
    report = graded.grade(HOSTILE / "trust_with_over_closed_socket.py", 4)
    closed = [c for c in report.failed_checks if c.name == "closed"]
    assert {c.hint_key for c in closed} == {"not_with"}
    assert not [c for c in report.failed_checks if c.name == "untampered"]


@pytest.mark.parametrize(
    ("script", "key"),
    [
        ("trust_message_keeps_socket.py", "held_without_descriptor"),
        ("trust_mmap_keeps_socket.py", "shutdown_not_close"),
    ],
)
def test_a_socket_kept_alive_without_its_descriptor_is_not_closed(
    graded: Grader, script: str, key: str
) -> None:
    report = graded.grade(HOSTILE / script, 1)
    [closed] = [c for c in report.failed_checks if c.name == "closed"]
    assert closed.hint_key == key
    assert not [c for c in report.failed_checks if c.name == "untampered"]


def test_a_run_stopped_by_its_memory_cap_is_told_so(shared_folder: Path) -> None:
    need("cgroup-v1")
    config = Config(limits=Limits(run_memory_mb=64, memory_mb=512))
    with Grader.create(config=config) as grader:
        assert grader.zygote.cgroups()
        path = folder_script(
            shared_folder, "hold = bytearray(200 << 20)\nhold[::4096] = b'x' * len(hold[::4096])\n"
        )
        report = grader.grade(path, 1)
    [end] = [c for c in report.failed_checks if c.name == "clean_end"]
    assert end.observed == "stopped: the run passed its memory limit"
    assert end.hint_key == "memory_run"  # the run's cap (64 MiB), not the script's (512)
    assert "reached 64 MiB" in end.hint


def folder_script(shared_folder: Path, text: str) -> Path:
    path = fresh_folder(shared_folder) / "client.py"
    path.write_text(text)
    path.chmod(0o644)
    return path


@pytest.fixture(scope="module")
def graded() -> Iterator[Grader]:
    with Grader.create() as grader:
        yield grader


# -- every way out is held by the kernel, with its status --------------------------------------
WAYS_OUT = {
    "return": ("", "exit status 0"),
    "sys.exit(3)": ("import sys; sys.exit(3)", "exit status 3"),
    "os._exit(4)": ("import os; os._exit(4)", "exit status 4"),
    "os._exit from a thread": (
        "import os, threading; threading.Thread(target=os._exit, args=(5,)).start()\n"
        "import time; time.sleep(3)",
        "exit status 5",
    ),
    "posix._exit": ("import posix; posix._exit(6)", "exit status 6"),
    "an exception": ("raise RuntimeError('boom')", None),
    "SIGKILL to itself": (
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
        "stopped by signal SIGKILL",
    ),
    "SIGTERM to itself": (
        "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
        "stopped by signal SIGTERM",
    ),
}


@pytest.mark.parametrize("way", list(WAYS_OUT))
def test_every_way_out_is_held_in_its_exit_with_the_kernels_status(
    graded: Grader, way: str, shared_folder: Path
) -> None:
    """The socket is left open, then the script ends this way: the kernel stops its process
    before its descriptors are released, so the socket is seen still open, and the status is
    the kernel's."""
    ending, status = WAYS_OUT[way]
    text = (
        "import socket\n"
        "client_socket = socket.socket()\n"
        "client_socket.connect(('127.0.0.1', 9090))\n" + ending + "\n"
    )
    report = graded.grade(folder_script(shared_folder, text), 1)
    failed = {c.name: c for c in report.failed_checks}
    assert failed["closed"].observed == (
        "still open when the program exited; the connection ended only at interpreter exit"
    ), way
    if status is None:
        assert failed["clean_end"].observed.startswith("an uncaught RuntimeError")
    elif status == "exit status 0":
        assert "clean_end" not in failed
    else:
        assert failed["clean_end"].observed.split("\n")[0] == status
