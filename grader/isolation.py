"""How a run reaches "127.0.0.1:9090" of its own: a private namespace, or routing in-process.

Strategy: where unprivileged user namespaces work (most Linux), every run gets a fresh user,
network, PID and mount namespace from ``unshare``: port 9090 is always free inside, a refused
connection is certain, the script reaches nothing but its own loopback, and when the run's first
process ends the kernel ends every process it started. Elsewhere (macOS, or Linux with user
namespaces disabled) the bootstrap rewrites loopback addresses to the grader's ephemeral ports:
the same verdicts, but routing rather than isolation (see the README's security model).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass

from grader.errors import GraderFault

NAMESPACE_PREFIX = (
    "--user",
    "--map-root-user",
    "--net",
    "--pid",
    "--fork",
    "--kill-child",
    "--mount-proc",
)


@dataclass(frozen=True)
class Isolation:
    """The mode a grading ran in, and the command prefix that sets it up."""

    mode: str  # "namespace" or "routed"
    prefix: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def _namespace_prefix() -> tuple[str, ...] | None:
    """The ``unshare`` command line if this machine grants the namespaces, probed once."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    try:
        probe = subprocess.run(
            [unshare, *NAMESPACE_PREFIX, "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (unshare, *NAMESPACE_PREFIX) if probe.returncode == 0 else None


def choose_isolation(mode: str) -> Isolation:
    """The isolation for ``mode`` (auto, namespace or routed) on this machine."""
    if mode == "routed":
        return Isolation("routed")
    prefix = _namespace_prefix()
    if prefix is not None:
        return Isolation("namespace", prefix)
    if mode == "namespace":
        raise GraderFault(
            "isolation mode 'namespace' is configured, but this machine refuses unprivileged "
            'user namespaces (unshare --user --net failed); set [isolation] mode = "auto"'
        )
    return Isolation("routed")
