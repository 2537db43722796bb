"""Each worker process's own scratch folder, and the sweep of those whose process died.

Strategy: a job's bytes are graded in memory and reach the run through a descriptor, so in
namespace mode a grading writes nothing to disk. Whatever a worker process does write (a routed
run's working folder, anything temporary a library makes) goes into a folder of its own,
``grader-worker-<pid>-<random>`` in the scratch folder (``grade-worker --scratch``, default the
system's temporary folder): the process makes it its temporary folder and holds an exclusive
``flock`` on it for its whole life. The kernel drops that lock when the process ends, however it
ends (SIGKILL included), and no process id is trusted (ids are reused), so a folder whose lock
can be taken belongs to no living process and ``sweep`` removes it. ``grade-worker`` sweeps
when it starts and whenever it replaces a worker process that died. A folder is locked before
it gets its sweepable name, so a sweep never sees a folder that is not yet locked.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "grader-worker-"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@contextmanager
def own_folder(parent: str | None) -> Iterator[Path]:
    """A locked folder of this process's own under ``parent`` (None: the temporary folder),
    made the process's temporary folder while the block runs, then removed."""
    where = parent or tempfile.gettempdir()
    making = Path(tempfile.mkdtemp(prefix=f".{PREFIX}{os.getpid()}-", dir=where))
    fd = os.open(making, _DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        folder = making.with_name(making.name[1:])
        os.rename(making, folder)  # the lock is on the folder, not its name: it stays held
    except OSError:
        os.close(fd)
        _remove(making)
        raise
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous
        _remove(folder)
        os.close(fd)


def sweep(parent: str | None) -> list[Path]:
    """Remove the folders under ``parent`` of worker processes that have ended; return them."""
    where = Path(parent or tempfile.gettempdir())
    removed = []
    try:
        entries = [e for e in where.iterdir() if e.name.startswith(PREFIX)]
    except OSError:
        return []
    for entry in entries:
        try:
            fd = os.open(entry, _DIRECTORY)  # not a symbolic link, and a folder
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a living worker process holds it
        finally:
            os.close(fd)  # (closing it drops the lock taken, if any)
        _remove(entry)
        removed.append(entry)
    return removed


def _remove(folder: Path) -> None:
    """Remove ``folder``, even where a run took the permissions away from folders in it."""
    shutil.rmtree(folder, ignore_errors=True)
    if not folder.exists():
        return
    for here, dirs, _files in os.walk(folder):  # give the owner back what a run took away
        for name in dirs:
            path = os.path.join(here, name)
            if not os.path.islink(path):
                try:
                    os.chmod(path, stat.S_IRWXU)
                except OSError:
                    pass
    shutil.rmtree(folder, ignore_errors=True)
