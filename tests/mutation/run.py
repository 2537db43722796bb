"""Plant small bugs in a copy of the checkout, one at a time, and report which the tests miss.

Strategy: each mutant in ``MUTANTS`` is one exact text replacement in one file (what a slip of the
keyboard or a careless refactor would do) and the tests that must catch it. For each, the tracked
files are copied into a fresh temporary folder, the replacement is made there (never in this
checkout), and those tests run in the copy with a deadline. A mutant is:

- ``caught``   the named tests failed, as they must;
- ``SURVIVED`` they passed: the suite is blind to that bug;
- ``stale``    the old text is not in the file exactly once (the code moved on: update the list);
- ``timeout``  the tests did not finish within the deadline.

Not part of CI: it takes minutes. Run from the checkout's root with the project's interpreter::

    .venv/bin/python tests/mutation/run.py            # every mutant
    .venv/bin/python tests/mutation/run.py seed_fixed # only the mutants named

It first runs every named test on an unchanged copy: they must pass there, or nothing is proved.
Exit status 0 when every mutant was caught, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 300.0


@dataclass(frozen=True)
class Mutant:
    """One deliberate bug: replace ``old`` by ``new`` in ``path``; ``tests`` must then fail."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


V = "tests/test_verdicts.py::test_learner_script"
INSIDE = "tests/test_sandbox.py::test_the_run_sees_a_minimal_root_without_privileges_and_its_limits"
Q = "tests/test_queue.py"
PIN = "tests/test_pins.py"

MUTANTS: tuple[Mutant, ...] = (
    # -- the three bugs the suite once missed --------------------------------------------------
    Mutant(
        "closed_ignores_rst",
        "grader/judge/closing.py",
        'if conn.end == "rst":',
        'if conn.end == "rst" and False:',
        (f"{V}[p2/fail_rst_close_linger_zero.py]", f"{V}[p4/fail_rst_close_linger_zero.py]"),
    ),
    Mutant(
        "output_strip_end_only",
        "grader/judge/checks.py",
        'return "\\n".join(line.rstrip() for line in text.split("\\n")).rstrip()',
        "return text.rstrip()",
        (f"{V}[p4/pass_trailing_space_after_each_reply.py]", f"{V}[p4/pass_crlf_line_ends.py]"),
    ),
    Mutant(
        "seed_fixed",
        "grader/api.py",
        "base = secrets.randbits(32) if seed is None else seed",
        "base = 0 if seed is None else seed",
        (
            "tests/test_replies.py::test_two_gradings_without_a_seed_get_different_replies",
            f"{V}[p3/fail_prints_recorded_reply.py]",
            f"{V}[p5/fail_prints_constant_reply.py]",
        ),
    ),
    # -- checks ----------------------------------------------------------------------------------
    Mutant(
        "output_strips_leading_space",
        "grader/judge/checks.py",
        "(line.rstrip() for line in",
        "(line.strip() for line in",
        (f"{V}[p3/fail_leading_space.py]",),
    ),
    Mutant(
        "exit_status_one_is_clean",
        "grader/judge/checks.py",
        "if proc.exit_code != 0:",
        "if proc.exit_code not in (0, 1):",
        (f"{V}[p2/fail_exit_status_one.py]", f"{V}[p5/fail_exit_status_one.py]"),
    ),
    Mutant(
        # The kernel's view is the proof of a close: ignore it and a reported close is trusted.
        "reported_close_trusted",
        "grader/judge/closing.py",
        "if state.held:",
        "if False:",
        (
            f"{V}[p1/fail_shutdown_without_close.py]",
            f"{V}[p1/fail_makefile_keeps_socket_open.py]",
            f"{V}[p1/fail_forked_child_keeps_socket.py]",
        ),
    ),
    Mutant(
        "extra_connection_not_counted",
        "grader/judge/checks.py",
        "if len(conns) > want or obs.wire.over_cap:",
        "if obs.wire.over_cap:",
        (f"{V}[p1/fail_two_connections.py]", f"{V}[p2/fail_main_called_twice.py]"),
    ),
    # -- hints -----------------------------------------------------------------------------------
    Mutant(
        "newline_hint_misses_lf",
        "grader/judge/diagnosis.py",
        'lambda f: f.got == f.want + b"\\n",',
        "lambda f: False,",
        (
            f"{V}[p2/fail_trailing_newline.py]",
            "tests/test_feedback.py::test_trailing_newline_report_and_transcript",
        ),
    ),
    Mutant(
        "decode_hint_lost",
        "grader/judge/facts.py",
        'for enc in ("latin-1", "cp1252", "cp1251")',
        'for enc in ("cp1252", "cp1251")',
        (
            f"{V}[p3/fail_decode_latin1.py]",
            "tests/test_verdicts.py::test_every_hint_key_is_reached_by_the_corpus",
        ),
    ),
    Mutant(
        "hint_text_changed",
        "grader/judge/hints.py",
        '"interpreter exited.",',
        '"program exited.",',
        ("tests/test_feedback.py::test_socket_left_to_the_interpreter",),
    ),
    # -- judging order ---------------------------------------------------------------------------
    Mutant(
        "dependencies_ignored",
        "grader/judge/run.py",
        'blocked = [d for d in kind.depends_on if status.get(d, "passed") != "passed"]',
        "blocked: list[str] = []",
        (
            "tests/test_feedback.py::test_trailing_newline_report_and_transcript",
            f"{V}[p2/fail_trailing_newline.py]",
        ),
    ),
    # -- protocol --------------------------------------------------------------------------------
    Mutant(
        "reply_before_whole_message",
        "grader/problem/protocol.py",
        "elif want.startswith(self._buffer):",
        "elif False:",
        (
            "tests/test_protocol.py::test_reply_waits_for_the_whole_message_however_it_is_split",
            f"{V}[p2/pass_two_sends_pieces.py]",
        ),
    ),
    # -- wire ------------------------------------------------------------------------------------
    Mutant(
        "reset_read_as_fin",
        "grader/observe/wire.py",
        'self._ended(conn, "rst")',
        'self._ended(conn, "fin")',
        (f"{V}[p1/fail_rst_close_linger_zero.py]", f"{V}[p5/fail_rst_close_linger_zero.py]"),
    ),
    Mutant(
        "no_connection_cap",
        "grader/observe/wire.py",
        "while len(self._conns) < self._max_connections:",
        "while True:",
        ("tests/test_hostile.py::test_two_thousand_connections_fail_one_connection_expected",),
    ),
    # -- renderers and report --------------------------------------------------------------------
    Mutant(
        "junit_counts_every_check_failed",
        "grader/render/junit_format.py",
        '"failures": sum(1 for c in cases if c.status == "failed"),',
        '"failures": len(cases),',
        ("tests/test_formats.py::test_junit_counts_match_the_reports",),
    ),
    Mutant(
        "gradescope_scores_failures",
        "grader/render/gradescope_format.py",
        '"score": check.score,',
        '"score": check.max_score,',
        ("tests/test_formats.py::test_gradescope_single_report",),
    ),
    Mutant(
        "invalid_is_a_grader_fault",
        "grader/report.py",
        '"invalid": EXIT_BAD_INPUT,',
        '"invalid": EXIT_GRADER_FAULT,',
        ("tests/test_cli.py::test_batch_folder_with_broken_files", "tests/test_formats.py"),
    ),
    # -- configuration ---------------------------------------------------------------------------
    Mutant(
        "config_accepts_booleans",
        "grader/config.py",
        "if not ok or isinstance(value, bool) or value <= 0:",
        "if not ok or value <= 0:",
        ("tests/test_spec_and_config.py::test_a_malformed_config_names_the_key",),
    ),
    # -- the sandbox, as a run sees it from inside ------------------------------------------------
    Mutant(
        "root_left_writable",
        "grader/sandbox/root.py",
        "kernel.mount(None, new, None, MS_REMOUNT | SAFE | MS_RDONLY)",
        "kernel.mount(None, new, None, MS_REMOUNT | SAFE)",
        (f"{INSIDE}[ordinary-user]", f"{INSIDE}[grader-user]"),
    ),
    Mutant(
        "binds_left_writable",
        "grader/sandbox/root.py",
        "kernel.mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | SAFE)",
        "kernel.mount(None, target, None, MS_REMOUNT | MS_BIND | SAFE)",
        (f"{INSIDE}[grader-user]",),
    ),
    Mutant(
        "io_uring_setup_allowed",
        "grader/sandbox/seccomp.py",
        "open_by_handle_at io_uring_setup io_uring_enter",
        "open_by_handle_at io_uring_enter",
        (f"{INSIDE}[grader-user]",),
    ),
    Mutant(
        "sysv_ipc_allowed",
        "grader/sandbox/seccomp.py",
        '"shmget semget msgget"',
        '"semget"',
        ("tests/test_sandbox.py::test_sysv_ipc_and_empty_files_cannot_take_kernel_memory",),
    ),
    Mutant(
        "gid_mapped_to_root",
        "grader/sandbox/namespace.py",
        'f"0 {outside if os.getuid() == 0 else os.getgid()} 1"',
        'f"0 {0 if os.getuid() == 0 else os.getgid()} 1"',
        (f"{INSIDE}[grader-user]",),
    ),
    Mutant(
        "shm_at_the_scratch_size",
        "grader/sandbox/root.py",
        'shm = f"size={shm_kb}k,',
        'shm = f"size={scratch_kb}k,',
        (f"{INSIDE}[grader-user]",),
    ),
    Mutant(
        "shm_without_inode_cap",
        "grader/sandbox/root.py",
        'shm = f"size={shm_kb}k,nr_inodes={SHM_INODES},mode=1777"',
        'shm = f"size={shm_kb}k,mode=1777"',
        ("tests/test_sandbox.py::test_sysv_ipc_and_empty_files_cannot_take_kernel_memory",),
    ),
    Mutant(
        "nofile_not_set",
        "grader/sandbox/script.py",
        "(resource.RLIMIT_NOFILE, nofile),",
        "(resource.RLIMIT_NOFILE, 0),",
        (f"{INSIDE}[grader-user]",),
    ),
    Mutant(
        "core_not_set",
        "grader/sandbox/script.py",
        "if value <= 0 and which != resource.RLIMIT_CORE:",
        "if value <= 0:",
        (f"{INSIDE}[grader-user]",),
    ),
    Mutant(
        "cgroup_layer_off",
        "grader/sandbox/zygote.py",
        'groups = RunGroups.open() if wanted != "routed" else None',
        "groups = None",
        (
            f"{INSIDE}[grader-user]",
            "tests/test_sandbox.py::test_a_cgroup_caps_the_whole_runs_memory",
        ),
    ),
    Mutant(
        "routed_scratch_removal_trips_on_a_removed_folder",
        "grader/observe/session.py",
        "        return\n    except FileNotFoundError:\n        return\n    except IsADirectoryError:",
        "        return\n    except IsADirectoryError:",
        (
            "tests/test_sandbox.py::test_routed_mode_leaves_nothing_and_changes_nothing_above_the_scratch_folder",
        ),
    ),
    # -- feedback that names a position, a count or a cause ---------------------------------------
    Mutant(
        "message_index_off_by_one",
        "grader/judge/checks.py",
        'label = f"message {i + 1} of {len(wants)}: "',
        'label = f"message {i} of {len(wants)}: "',
        (f"{PIN}::test_the_second_of_three_messages_is_named_the_second",),
    ),
    Mutant(
        "crash_after_connect_blamed_on_close",
        "grader/judge/diagnosis.py",
        '"never_closed",  # a crash after connect() leaves the socket to the interpreter\'s exit',
        "",
        (f"{PIN}::test_a_crash_after_connect_is_told_as_the_crash_not_as_an_unclosed_socket",),
    ),
    Mutant(
        "wrong_port_told_to_catch",
        "grader/judge/diagnosis.py",
        'lambda f: f.exc_name == "ConnectionRefusedError" and bool(elsewhere(f.obs)),',
        "lambda f: False,",
        (f"{PIN}::test_a_wrong_port_is_told_as_the_address_never_as_a_missing_except",),
    ),
    # -- precedence and bounds -------------------------------------------------------------------
    Mutant(
        "spec_time_limit_over_the_callers",
        "grader/api.py",
        "return override or spec.time_limit_s or config.limits.time_limit_s",
        "return spec.time_limit_s or override or config.limits.time_limit_s",
        (
            f"{PIN}::test_the_callers_time_limit_and_points_win_over_the_spec_which_wins_over_defaults",
        ),
    ),
    Mutant(
        "spec_points_over_the_callers",
        "grader/api.py",
        "return override or spec.points or DEFAULT_POINTS",
        "return spec.points or override or DEFAULT_POINTS",
        (
            f"{PIN}::test_the_callers_time_limit_and_points_win_over_the_spec_which_wins_over_defaults",
        ),
    ),
    Mutant(
        "timeout_unbounded",
        "grader/config.py",
        "if not 0 < seconds <= 600:",
        "if not 0 < seconds:",
        (f"{PIN}::test_the_command_refuses_a_timeout_past_the_bound",),
    ),
    Mutant(
        "connections_yes_is_one",
        "grader/problem/spec.py",
        "if not _whole(connections) or connections < 0:",
        "if not isinstance(connections, int) or connections < 0:",
        (f"{PIN}::test_spec_values_are_checked_at_and_past_their_bounds",),
    ),
    # -- output that must stay inert -------------------------------------------------------------
    Mutant(
        "output_compared_by_spelling",
        "grader/cli.py",
        "if path.exists() and os.path.samefile(path, target):",
        "if str(path) == str(target):",
        (f"{PIN}::test_output_refuses_the_graded_file_under_any_spelling",),
    ),
    Mutant(
        "indented_workflow_command_live",
        "grader/render/github.py",
        r'_LINE_START = re.compile(r"(?m)^([ \t]*):")',
        '_LINE_START = re.compile(r"(?m)^():")',
        (f"{PIN}::test_an_indented_workflow_command_of_the_learner_stays_inert_under_actions",),
    ),
    Mutant(
        "bidi_printed_raw",
        "grader/show.py",
        'ch if ch.isprintable() or ch == " " or',
        'ch if ch.isprintable() or ch == " " or ord(ch) > 0x2000 or',
        (f"{PIN}::test_bidi_overrides_never_reach_a_report_raw",),
    ),
    # -- the queue's promises --------------------------------------------------------------------
    Mutant(
        "results_not_first_wins",
        "grader/queue/store.py",
        "nx=True",
        "nx=False",
        (f"{Q}::test_a_redelivered_job_keeps_its_first_result",),
    ),
    Mutant(
        "error_grading_stored_as_final",
        "grader/queue/core.py",
        'if report.verdict == "error":',
        "if False:",
        (f"{Q}::test_a_grading_that_fails_on_the_machine_is_retried_then_dead_lettered",),
    ),
    Mutant(
        "not_a_job_retried",
        "grader/queue/worker.py",
        'options={"throws": (BadInput,)},',
        "options={},",
        (f"{Q}::test_a_bad_job_is_a_result_and_one_without_an_id_is_dead_lettered",),
    ),
)


def copy_checkout(target: Path) -> None:
    """The files git knows of (tracked, and new ones not ignored), copied into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # The CLI tests run the installed ``grade`` command: the copy gets one that imports the copy.
    venv_bin = target / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    grade = venv_bin / "grade"
    grade.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(target)!r})\n"
        "from grader.cli import main\nsys.exit(main())\n"
    )
    grade.chmod(0o755)


def apply(mutant: Mutant, root: Path) -> bool:
    """Make the replacement in the copy; False when the old text is not there exactly once."""
    path = root / mutant.path
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        return False
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    return True


def run_tests(root: Path, tests: tuple[str, ...], deadline_s: float) -> tuple[str, str]:
    """Run ``tests`` in the copy at ``root``: ("passed" | "failed" | "timeout", what failed)."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-n",
        "0",
        "-p",
        "no:cacheprovider",
        *tests,
    ]
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=deadline_s,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return "timeout", ""
    lines = done.stdout.strip().splitlines()
    failed = [line.split(" - ")[0] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return ("passed" if done.returncode == 0 else "failed"), "\n".join(failed or lines[-3:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="only these mutants (default: all)")
    parser.add_argument("--deadline", type=float, default=DEADLINE_S, help="seconds per mutant")
    args = parser.parse_args(argv)
    unknown = set(args.names) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]

    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        os.chmod(scratch, 0o755)  # the copies are graded as user nobody too
        base = Path(scratch) / "unchanged"
        copy_checkout(base)
        every_test = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
        outcome, tail = run_tests(base, every_test, args.deadline * 2)
        if outcome != "passed":
            print(f"the named tests do not pass on an unchanged copy ({outcome}):\n{tail}")
            return 2
        results: dict[str, str] = {}
        for mutant in chosen:
            root = Path(scratch) / mutant.name
            copy_checkout(root)
            started = time.monotonic()
            tail = ""
            if not apply(mutant, root):
                results[mutant.name] = "stale"
            else:
                outcome, tail = run_tests(root, mutant.tests, args.deadline)
                results[mutant.name] = {"failed": "caught", "passed": "SURVIVED"}.get(
                    outcome, outcome
                )
            took = time.monotonic() - started
            print(f"{results[mutant.name]:<9} {mutant.name:<34} {mutant.path}  ({took:.0f} s)")
            if results[mutant.name] == "caught":
                print(f"          by {tail.splitlines()[0].split(' ', 1)[-1]}")
            sys.stdout.flush()
            shutil.rmtree(root, ignore_errors=True)
    caught = sum(1 for r in results.values() if r == "caught")
    print(f"{caught} of {len(results)} mutants caught")
    for name, result in results.items():
        if result != "caught":
            print(f"  {result}: {name}")
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
