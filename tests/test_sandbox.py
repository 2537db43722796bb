"""The namespace sandbox holds against scripts that try to leave it, graded end to end.

Every case is a real hostile script in ``tests/hostile/sandbox_*.py``, graded in namespace mode
as this test process's user (root here and in CI: each run is then mapped to an unprivileged id)
and, where the machine lets an ordinary user run the grader, as that user (``nobody``) through
the ``grade`` command. Each script tries its attack, then does problem 2 correctly and exits 3
if anything it tried worked: a contained script is graded ``pass``, and the test checks from
outside that nothing changed (host files, kernel settings, /dev, sockets, classmates).
"""

from __future__ import annotations

import ast
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.api import Grader
from grader.config import DEFAULT_RUN_IDS, Config, Limits, parse_config
from grader.errors import BadInput, GraderFault
from grader.observe.zygote import Zygote
from tests.conftest import ROOT, SUBMISSIONS
from tests.machine import DECLARED, FEATURES, NOBODY, as_nobody, lacks, need

HOSTILE = Path(__file__).resolve().parent / "hostile"
PASS_P2 = SUBMISSIONS / "p2" / "pass_lesson_encode_close.py"
GRADE = ROOT / ".venv" / "bin" / "grade"
PACKAGE = ROOT / "grader"
STDLIB = Path(sysconfig.get_paths()["stdlib"])

Grade = Callable[[Path, int], tuple[str, str]]  # path, problem -> (verdict, what it printed)


@pytest.fixture(scope="module")
def as_root() -> Grader:
    need("namespaces")
    grader = Grader.create()
    assert grader.isolation == "namespace", "the machine makes namespaces; the grader did not"
    return grader


def test_the_machine_has_what_ci_says_its_kind_has() -> None:
    # .ci/run names what the project's machine kind offers; a machine that lost any of it fails
    # here (and in every test needing it) instead of skipping those tests.
    assert DECLARED <= set(FEATURES), f"unknown in GRADER_TEST_MACHINE: {DECLARED - set(FEATURES)}"
    missing = {feature: lacks(feature) for feature in sorted(DECLARED) if lacks(feature)}
    assert missing == {}


@pytest.fixture(scope="module")
def shared_folder() -> Iterator[Path]:
    """A folder every user can read (pytest's own temp folders are the owner's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture(params=["grader-user", "ordinary-user"])
def grade(request: pytest.FixtureRequest, as_root: Grader, shared_folder: Path) -> Grade:
    """Grade a file in namespace mode as this process's user, or as user nobody (CLI, JSON)."""
    if request.param == "grader-user":

        def library(path: Path, problem: int) -> tuple[str, str]:
            report = as_root.grade(path, problem)
            return report.verdict, json.dumps([c.observed for c in report.checks])

        return library
    need("ordinary-user")

    def cli(path: Path, problem: int) -> tuple[str, str]:
        done = subprocess.run(
            as_nobody([str(GRADE), str(path), "--problem", str(problem), "--format", "json"]),
            capture_output=True,
            text=True,
            cwd=shared_folder,
            timeout=120,
            env={**os.environ, "TMPDIR": str(shared_folder)},
        )
        reports = json.loads(done.stdout) if done.stdout.strip() else []
        if not reports:
            return "no report", done.stderr
        report = reports[0] if isinstance(reports, list) else reports
        assert report.get("isolation") == "namespace", report
        return report["verdict"], json.dumps(report)

    return cli


def fill(name: str, folder: Path, filename: str | None = None, **fields: str) -> Path:
    """``tests/hostile/<name>`` with each ``__KEY__`` replaced, written (world-readable) there."""
    text = (HOSTILE / name).read_text(encoding="utf-8")
    for key, value in fields.items():
        placeholder = f"__{key.upper()}__"
        assert placeholder in text, f"{name} has no {placeholder}"
        text = text.replace(placeholder, value)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    path = folder / (filename or name)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


def fresh_folder(shared_folder: Path) -> Path:
    folder = shared_folder / uuid.uuid4().hex
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    return folder


# -- the root it sees, its privileges, its limits: as the kernel reports them inside -------------
# Distinct values, so that a limit given another's value (shm at the scratch size) is seen.
INSPECT_LIMITS = Limits(
    time_limit_s=4.0,
    memory_mb=300,
    file_size_mb=3,
    open_files=100,
    processes=40,
    scratch_mb=12,
    shm_mb=2,
    run_memory_mb=200,
)
INSPECT_TOML = (
    "[limits]\n"
    + "".join(f"{f} = {getattr(INSPECT_LIMITS, f)!r}\n" for f in INSPECT_LIMITS.__annotations__)
    + '[isolation]\nmode = "namespace"\n'
)
INSPECT_TIMEOUT = 3  # the caller's time limit, over the configuration's
SCRATCH_INODES, SHM_INODES = 4096, 1024  # the files a run may make in each (README)
# Calls a script must never make (the README's list), and what the filter answers.
DENIED = (
    "mount umount2 pivot_root open_tree move_mount fsopen fsconfig fsmount fspick mount_setattr "
    "unshare setns ptrace process_vm_readv process_vm_writev keyctl add_key request_key bpf "
    "perf_event_open memfd_create memfd_secret userfaultfd fallocate kexec_load init_module "
    "finit_module swapon open_by_handle_at io_uring_setup io_uring_enter io_uring_register "
    "shmget semget msgget clone"
).split()
DEVICES = ["/dev/full", "/dev/null", "/dev/random", "/dev/urandom", "/dev/zero"]


def _inspect_expectation(ordinary: bool) -> dict[str, object]:
    """What a run must see inside, from the configuration above and this machine alone."""
    host_root = {"usr", Path(sys.base_prefix).resolve().parts[1]}
    links = {n for n in ("lib", "lib64", "lib32", "bin") if os.path.islink("/" + n)}
    expected_root = sorted({"dev", "etc", "proc", "scratch"} | host_root | links)
    assert not {"tmp", "run", "home", "work"} & set(expected_root)
    first, last = (NOBODY, NOBODY) if ordinary else DEFAULT_RUN_IDS
    mib = 1024 * 1024
    limits = INSPECT_LIMITS
    wanted = {
        "AS": limits.memory_mb * mib,
        "FSIZE": limits.file_size_mb * mib,
        "NOFILE": limits.open_files,
        "CPU": INSPECT_TIMEOUT + 2,  # a backstop past the time limit (README)
        "NPROC": limits.processes,
        "CORE": 0,
    }
    rlimits = {}
    for name, value in wanted.items():
        hard = resource.getrlimit(getattr(resource, f"RLIMIT_{name}"))[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        rlimits[name] = [value, value]
    return {
        "root": expected_root,
        "dev": sorted("fd full null random shm stderr stdin stdout urandom zero".split()),
        "caps": ["0000000000000000"] * 5,
        "no_new_privs": "1",
        "seccomp": "2",
        "cwd": "/scratch",
        "home": "/scratch",
        "tmpdir": "/scratch",
        "path0": "/scratch",
        "scratch": ["inspect.py"],
        "outside_is_root": False,
        # A cgroup per run where the machine lets the grader make one (as root, cgroup v1).
        "in_run_cgroup": not ordinary and lacks("cgroup-v1") is None,
        "outside_in_range": True,
        "first_id": first,
        "last_id": last,
        # uid and gid 0 inside, one id each, the gid outside the same unprivileged id as the
        # uid (user nobody's group is 65534 too).
        "uid_map": [[0, 1]],
        "gid_map": [[0, "uid", 1]],
        "writable": ["/dev/shm", "/proc", "/scratch", *DEVICES],
        "devices": DEVICES,
        "read_only": [],
        "no_suid": [],
        # Each of these is mounted (a missing one shows as no flags) with exactly these flags.
        "flags": {
            "/": ["nodev", "nosuid", "ro"],
            str(Path(sys.base_prefix).resolve()): ["nodev", "nosuid", "ro"],
            "/dev": ["noexec", "nosuid", "ro"],
            "/scratch": ["nodev", "nosuid", "rw"],
            "/dev/shm": ["nodev", "noexec", "nosuid", "rw"],
            "/proc": ["nodev", "noexec", "nosuid", "rw"],
            "/proc/sys": ["nodev", "noexec", "nosuid", "ro"],
        },
        "rlimits": rlimits,
        "tmpfs": {
            "/scratch": [limits.scratch_mb * mib, SCRATCH_INODES],
            "/dev/shm": [limits.shm_mb * mib, SHM_INODES],
        },
        "denied": {
            **{name: "Operation not permitted" for name in DENIED},
            "clone3": "Function not implemented",  # so that libc falls back to clone
        },
        "wrote": [],
    }


@pytest.mark.parametrize("user", ["grader-user", "ordinary-user"])
def test_the_run_sees_a_minimal_root_without_privileges_and_its_limits(
    user: str, shared_folder: Path
) -> None:
    need("namespaces")
    ordinary = user == "ordinary-user"
    folder = fresh_folder(shared_folder)
    path = fill(
        "sandbox_inspect.py",
        folder,
        "inspect.py",
        expected=json.dumps(_inspect_expectation(ordinary)),
    )
    if ordinary:
        need("ordinary-user")
        config = folder / "grader.toml"
        config.write_text(INSPECT_TOML, encoding="utf-8")
        config.chmod(0o644)
        done = subprocess.run(
            as_nobody(
                [str(GRADE), str(path), "--problem", "2", "--format", "json"]
                + ["--config", str(config), "--timeout", str(INSPECT_TIMEOUT)]
            ),
            capture_output=True,
            text=True,
            cwd=shared_folder,
            timeout=120,
            env={**os.environ, "TMPDIR": str(shared_folder)},
        )
        assert done.stdout.strip(), done.stderr
        report = json.loads(done.stdout)
        report = report[0] if isinstance(report, list) else report
        assert report["isolation"] == "namespace", report
        assert report["verdict"] == "pass", report["transcripts"][0]["stderr"]
        return
    config = Config(limits=INSPECT_LIMITS, isolation="namespace")
    with Grader.create(config, time_limit_s=INSPECT_TIMEOUT) as grader:
        result = grader.grade(path, 2)
        (transcript,) = result.transcripts
        assert result.verdict == "pass", transcript.stderr
        if lacks("cgroup-v1") is None:
            # The run's groups (kept for the grader's next run) hold the configured caps.
            printed = ast.literal_eval(transcript.stdout).splitlines()
            group = dict(line.split(" ", 2)[1:] for line in printed)
            memory = Path("/sys/fs/cgroup/memory" + group["memory"], "memory.limit_in_bytes")
            pids = Path("/sys/fs/cgroup/pids" + group["pids"], "pids.max")
            assert int(memory.read_text()) == INSPECT_LIMITS.run_memory_mb * 1024 * 1024
            # the run's and its supervisor's (PID 1)
            assert int(pids.read_text()) == INSPECT_LIMITS.processes + 1


# -- mounts ------------------------------------------------------------------------------------
def test_read_only_mounts_cannot_be_undone(grade: Grade, shared_folder: Path) -> None:
    marker = uuid.uuid4().hex
    path = fill(
        "sandbox_remount.py",
        fresh_folder(shared_folder),
        target=str(STDLIB),
        package=str(PACKAGE),
        marker=marker,
    )
    verdict, printed = grade(path, 2)
    assert not (STDLIB / f"{marker}.py").exists()
    assert not (PACKAGE / f"{marker}.py").exists()
    assert verdict == "pass", printed


# -- kernel settings and /dev ------------------------------------------------------------------
def _host_settings() -> dict[str, str]:
    names = ("kernel/core_pattern", "kernel/hostname", "vm/overcommit_memory")
    return {n: Path("/proc/sys", n).read_text() for n in names}


def test_kernel_settings_and_dev_are_out_of_reach(grade: Grade, shared_folder: Path) -> None:
    marker = f"sandbox-test-{uuid.uuid4().hex}"
    before = _host_settings()
    path = fill("sandbox_proc_sys.py", fresh_folder(shared_folder), marker=marker)
    verdict, printed = grade(path, 2)
    assert _host_settings() == before
    assert not Path("/dev", marker).exists()
    assert not Path("/dev", f"{marker}-node").exists()
    assert verdict == "pass", printed  # every write failed inside


# -- the interpreter's start -----------------------------------------------------------------
def test_a_run_starts_as_python_script_py_does_without_the_hosts_startup_hooks(
    grade: Grade, shared_folder: Path
) -> None:
    import site

    folders = [f for f in site.getsitepackages() if f.startswith(sys.base_prefix)]
    kept = next((f for f in folders if Path(f).is_dir()), "")
    path = fill("sandbox_python_startup.py", fresh_folder(shared_folder), site_packages=kept)
    verdict, printed = grade(path, 2)
    assert verdict == "pass", printed


# -- Unix sockets --------------------------------------------------------------------------------
def test_unix_sockets_of_the_host_cannot_be_reached(grade: Grade, shared_folder: Path) -> None:
    folder = fresh_folder(shared_folder)
    marker = f"sandbox-test-{uuid.uuid4().hex}"
    on_disk = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with on_disk, abstract:
        on_disk.bind(str(folder / "server.sock"))
        os.chmod(folder / "server.sock", 0o777)  # the grading user may connect, from outside
        on_disk.listen(4)
        abstract.bind("\0" + marker)
        abstract.listen(4)
        path = fill(
            "sandbox_unix_socket.py", folder, target=str(folder / "server.sock"), marker=marker
        )
        verdict, printed = grade(path, 2)
        for listener in (on_disk, abstract):
            listener.setblocking(False)
            with pytest.raises(BlockingIOError):
                listener.accept()  # nothing ever connected
    assert verdict == "pass", printed


# -- memory and disk -------------------------------------------------------------------------------
def test_memfd_fallocate_and_shm_are_refused_or_capped(grade: Grade, shared_folder: Path) -> None:
    path = fill("sandbox_memory_disk.py", fresh_folder(shared_folder))
    verdict, printed = grade(path, 2)
    assert verdict == "pass", printed


def test_sysv_ipc_and_empty_files_cannot_take_kernel_memory(
    grade: Grade, shared_folder: Path
) -> None:
    # Memory no rlimit counts, and no cgroup where the grader is an ordinary user: System V
    # segments, semaphore sets and message queues are refused; /dev/shm and the scratch folder
    # hold a few thousand files at most.
    path = fill("sandbox_memory_ipc.py", fresh_folder(shared_folder))
    verdict, printed = grade(path, 2)
    assert verdict == "pass", printed


# -- other submissions ---------------------------------------------------------------------------
def test_a_batch_file_cannot_reach_its_classmates(as_root: Grader, shared_folder: Path) -> None:
    folder = fresh_folder(shared_folder)
    classmate = folder / "classmate.py"
    shutil.copy(PASS_P2, classmate)
    original = classmate.read_bytes()
    rewriter = fill("sandbox_rewrite_sibling.py", folder, "rewriter.py", target=str(classmate))
    threading_py = fill("sandbox_threading_module.py", folder, "threading.py")
    other = folder / "other.py"
    shutil.copy(PASS_P2, other)
    order = [rewriter, classmate, threading_py, other]
    reports = {Path(r.submission).name: r for r in as_root.grade_many(order, 2, jobs=1)}
    assert classmate.read_bytes() == original
    assert not (folder / "select.py").exists()
    for name in ("rewriter.py", "classmate.py", "threading.py", "other.py"):
        assert reports[name].verdict == "pass", (name, reports[name])


def test_a_file_named_after_a_module_it_imports_is_told_to_rename(
    as_root: Grader, shared_folder: Path
) -> None:
    folder = fresh_folder(shared_folder)
    path = folder / "socket.py"
    shutil.copy(PASS_P2, path)
    report = as_root.grade(path, 2)
    assert report.verdict == "fail"
    (source,) = report.checks
    assert source.name == "source" and source.hint_key == "shadows_module"
    assert source.hint == (
        "The file is named socket.py, like the module socket it imports: `python socket.py` "
        "would import the file itself instead. Rename it (for example to client.py)."
    )


# -- routed mode: trusted code only, and still bounded ---------------------------------------------
@pytest.fixture(scope="module")
def routed() -> Iterator[Grader]:
    with Grader.create(Config(isolation="routed"), time_limit_s=2.0) as grader:
        yield grader


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if entry.isdigit() and marker.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def test_a_batch_refuses_routed_mode_unless_configured(shared_folder: Path) -> None:
    # What an "auto" configuration gets on a machine that refuses namespaces.
    with Grader(Config(isolation="auto"), Zygote("routed")) as grader:
        assert grader.isolation == "routed"
        with pytest.raises(GraderFault) as refused:
            list(grader.grade_many([PASS_P2], 2))
        assert str(refused.value) == (
            "this machine refuses user namespaces, and routed mode runs scripts without a "
            "sandbox; refusing to grade a batch of strangers' code that way (set [isolation] "
            'mode = "routed" to grade trusted files all the same)'
        )
        assert grader.grade(PASS_P2, 2).verdict == "pass"  # one file at a terminal: allowed


def test_an_escaped_writer_ends_with_its_routed_run(routed: Grader, tmp_path: Path) -> None:
    """A process in a session of its own, left behind by the script, ends with the run: the run's
    first process is a child subreaper and kills every orphan that reaches it."""
    marker = uuid.uuid4().hex
    path = fill("routed_escaped_writer.py", tmp_path, marker=marker)
    try:
        report = routed.grade(path, 2)  # ends: the writer's five minutes are not waited for
        left = _processes_with(f"MARKER-{marker}")
    finally:
        for pid in _processes_with(f"MARKER-{marker}"):
            os.kill(pid, signal.SIGKILL)
    assert left == []
    # Its exchange was right and it ended by itself; whatever the writer managed to write to
    # the control channel before it was killed is tampering, and nothing else fails.
    assert not report.error, report
    assert {c.name for c in report.failed_checks} <= {"untampered"}, report.failed_checks


@pytest.mark.parametrize("how", ["remove", "lock", "link"])
def test_routed_mode_leaves_nothing_and_changes_nothing_above_the_scratch_folder(
    routed: Grader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    temp = tmp_path / "tmp"  # stands for /tmp: everyone's, sticky
    temp.mkdir()
    temp.chmod(0o1777)
    target = tmp_path / "elsewhere"  # a folder of someone else's the link points to
    target.mkdir()
    (target / "theirs.txt").write_text("kept", encoding="utf-8")
    target.chmod(0o755)
    path = fill("routed_scratch_tricks.py", tmp_path / "src", how=how, target=str(target))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    report = routed.grade(path, 2)
    assert report.verdict == "pass" and not report.error, (report.error, report.failed_checks)
    assert stat.S_IMODE(temp.stat().st_mode) == 0o1777
    assert list(temp.iterdir()) == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert [p.name for p in target.iterdir()] == ["theirs.txt"]


def _own_tcp_listeners() -> list[int]:
    """Ports of the TCP sockets this process listens on (the routed gradings' servers)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
            ports.append(int(fields[1].split(":")[1], 16))
    return ports


def test_a_routed_listener_serves_only_its_own_run(routed: Grader, tmp_path: Path) -> None:
    ready, go = tmp_path / "ready", tmp_path / "go"
    path = fill("routed_waits_for_stranger.py", tmp_path, ready=str(ready), go=str(go))
    with ThreadPoolExecutor(1) as pool:
        grading = pool.submit(routed.grade, path, 2)
        strangers = []
        try:
            while not ready.exists() and not grading.done():
                time.sleep(0.01)
            ports = _own_tcp_listeners()
            assert ports, "no listener found: nothing tested"
            for port in ports:  # another grading's script, finding this one's server
                stranger = socket.create_connection(("127.0.0.1", port), timeout=5)
                stranger.sendall(b"Wake up, Neo")
                strangers.append(stranger)
        finally:
            go.touch()
            report = grading.result(timeout=60)
            for stranger in strangers:
                stranger.close()
    assert report.verdict == "pass", report.failed_checks


def test_a_cgroup_caps_the_whole_runs_memory(shared_folder: Path) -> None:
    limits = Limits(run_memory_mb=96)
    need("cgroup-v1")
    with Grader.create(Config(limits=limits)) as grader:
        assert grader.zygote.cgroups(), "the machine makes cgroups; the grader made none"
        assert grader.isolation_label == "namespace+cgroup"
        path = fill("sandbox_memory_cgroup.py", fresh_folder(shared_folder))
        report = grader.grade(path, 2)
    assert report.isolation == "namespace+cgroup"
    assert report.verdict == "pass", report.failed_checks  # one of the three was stopped


def test_the_command_says_in_one_line_why_it_fell_back_to_routed_mode(
    shared_folder: Path,
) -> None:
    need("namespaces")  # unshare, to make one that refuses them
    folder = fresh_folder(shared_folder)
    path = folder / "client.py"
    shutil.copy(PASS_P2, path)
    path.chmod(0o644)
    # In a user namespace that maps no id, the grader's own user namespace cannot map one
    # either: exactly what a machine refusing unprivileged user namespaces gives the grader.
    done = subprocess.run(
        ["unshare", "--user", str(GRADE), "client.py", "--problem", "2"],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=60,
    )
    assert done.returncode == 0, done
    assert done.stderr == (
        "grade: this machine refuses user namespaces, so scripts run in routed mode, without a "
        "sandbox: they can read and write your files, reach your network and sockets and run "
        "programs as you; grade only code you trust\n"
    )
    assert "routed in-process" in done.stdout


@pytest.mark.parametrize("value", ["[0, 10]", "[900000, 800000]", "[810000]", '"810000-810999"'])
def test_run_ids_must_be_a_range_of_unprivileged_ids(value: str) -> None:
    with pytest.raises(BadInput) as bad:
        parse_config(f"[isolation]\nrun_ids = {value}\n", "grader.toml")
    assert str(bad.value).startswith("grader.toml: [isolation] run_ids = ")
    assert str(bad.value).endswith(
        "give [first, last], two ids from 1000 up (unused by any account), the first not above "
        "the last"
    )


def test_run_ids_and_tmpfs_sizes_are_read_from_the_configuration() -> None:
    config = parse_config(
        "[limits]\nscratch_mb = 2\nshm_mb = 1\nrun_memory_mb = 300\n"
        "[isolation]\nrun_ids = [700000, 700009]\n",
        "grader.toml",
    )
    assert config.run_ids == (700000, 700009)
    assert (config.limits.scratch_mb, config.limits.shm_mb, config.limits.run_memory_mb) == (
        2,
        1,
        300,
    )
