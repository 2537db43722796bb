"""What this machine offers the sandbox, found out without the grader's own code.

Strategy: a test that needs a feature asks here, never the code under test: "namespaces" (a user,
mount, network, PID, UTS and IPC namespace made by ``unshare``), "ordinary-user" (user nobody
can run this checkout's interpreter, through ``setpriv``), "cgroup-v1" (root, with the memory and
pids hierarchies of cgroup v1 mounted and a group makeable in each). Where the machine has the
feature and the grader does not use it, the test fails. Where the machine lacks it the test
skips, unless ``GRADER_TEST_MACHINE`` (set by ``.ci/run`` for the project's machine kind) says
the machine has it: then the test fails, so a lost feature never turns into silent skips.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

FEATURES = ("namespaces", "ordinary-user", "cgroup-v1")
DECLARED = set(os.environ.get("GRADER_TEST_MACHINE", "").split())
NOBODY = 65534
CGROUPS = Path("/sys/fs/cgroup")


def as_nobody(argv: list[str]) -> list[str]:
    """``argv`` run as user nobody. An interpreter installed under /root (mode 700) is made
    reachable in a private mount namespace of the command's own; nothing else changes."""
    switch = 'exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"'
    prefix = Path(sys.base_prefix).resolve()
    if prefix.is_relative_to("/root"):
        top = prefix.relative_to("/root").parts[0]
        switch = (
            'set -e; stash=$(mktemp -d); mount --rbind /root "$stash"; '
            "mount -t tmpfs -o mode=0711 reachable /root; "
            f'mkdir /root/{top}; mount --rbind "$stash/{top}" /root/{top}; ' + switch
        )
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", switch, "sh", *argv]


@functools.cache
def lacks(feature: str) -> str | None:
    """Why this machine lacks ``feature``, or None when it has it."""
    if feature == "namespaces":
        if shutil.which("unshare") is None:
            return "unshare (util-linux) is needed to see whether namespaces can be made"
        made = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "--net", "--pid", "--uts", "--ipc"]
            + ["--fork", "true"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return None if made.returncode == 0 else f"unshare refused: {made.stderr.strip()}"
    if feature == "ordinary-user":
        if os.geteuid() != 0:
            return "the tests run as an ordinary user already: none other can be switched to"
        if not (shutil.which("setpriv") and shutil.which("unshare")):
            return "setpriv and unshare (util-linux) are needed to switch to an ordinary user"
        probe = subprocess.run(
            as_nobody([sys.executable, "-c", "import grader"]),
            capture_output=True,
            cwd="/",
            timeout=60,
        )
        if probe.returncode != 0:
            return f"user nobody cannot run this checkout's interpreter ({probe.stderr[-200:]!r})"
        return None
    if feature == "cgroup-v1":
        if os.geteuid() != 0:
            return "cgroup v1 groups are made by root only"
        mounted = {}
        for line in Path("/proc/mounts").read_text().splitlines():
            _source, point, kind, options, *_ = line.split()
            if kind == "cgroup":
                mounted[point] = options.split(",")
        for controller in ("memory", "pids"):
            if controller not in mounted.get(str(CGROUPS / controller), []):
                return f"no cgroup v1 {controller} hierarchy at {CGROUPS / controller}"
            probe = CGROUPS / controller / f"machine-probe-{uuid.uuid4().hex}"
            try:
                probe.mkdir()
                probe.rmdir()
            except OSError as exc:
                return f"cannot make a group in {CGROUPS / controller}: {exc}"
        return None
    raise ValueError(feature)


def need(feature: str) -> None:
    """Skip when this machine lacks ``feature``; fail when it was declared to have it."""
    reason = lacks(feature)
    if reason is None:
        return
    if feature in DECLARED:
        pytest.fail(f"this machine kind has {feature} (GRADER_TEST_MACHINE), but: {reason}")
    pytest.skip(reason)
