"""A cgroup per run where this machine lets the grader make one: the whole run's memory and tasks.

Strategy: an optional layer. At start, before the zygote leaves the host's files, it looks for
the cgroup v1 ``memory`` and ``pids`` hierarchies at ``/sys/fs/cgroup/<name>`` (writable by root
only), makes one group of its own in each and keeps a descriptor of each folder: after
``pivot_root`` the hierarchies are reached only through those. Per run it makes a group in each
(memory cap, task cap), the run's first process joins before it forks anything, and once that
process is gone (so is every process of the run) the zygote removes the groups. The memory cap
counts what the run's processes touch, tmpfs pages of its scratch folder and ``/dev/shm``
included. Anything failing at start means no layer (the report then says ``namespace``); a
cgroup v2 delegation is not used yet. Making and removing a memory cgroup costs milliseconds,
so the group of an ended run (empty: its PID namespace is gone) is kept and given to the next
run with its caps written again; only groups past ``SPARE`` are removed.
"""

import os

CONTROLLERS = {"memory": "memory.limit_in_bytes", "pids": "pids.max"}
SPARE = 8  # ended runs' groups kept for reuse; runs side by side beyond this make their own
MOUNTS = "/sys/fs/cgroup"


def _write(name, text, dir_fd):
    fd = os.open(name, os.O_WRONLY, dir_fd=dir_fd)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _remove_stale(top):
    """Remove the groups of zygotes killed before they could (their processes are gone)."""
    for entry in os.listdir(top):
        owner = entry.removeprefix("socket-grader-")
        if owner == entry or not owner.isdigit() or os.path.exists(f"/proc/{owner}"):
            continue
        try:
            folder = os.open(entry, os.O_RDONLY | os.O_DIRECTORY, dir_fd=top)
            try:
                for run in os.listdir(folder):
                    if run.startswith("run-"):
                        os.rmdir(run, dir_fd=folder)
            finally:
                os.close(folder)
            os.rmdir(entry, dir_fd=top)
        except OSError:
            continue  # still busy, or another grader removed it first: not ours to insist


class RunGroups:
    """This zygote's group in each controller, and the runs' groups made in them."""

    def __init__(self, name, tops, folders):
        self.name = name
        self.tops = tops  # controller -> descriptor of the hierarchy's top folder
        self.folders = folders  # controller -> descriptor of this zygote's group
        self.count = 0
        self.leftover = []  # names a removal failed for (a task was still leaving): tried again
        self.spare = []  # groups of ended runs, empty, ready for the next run
        self.oom_base = {}  # group -> its oom_kill count when it was given to a run

    @classmethod
    def open(cls):
        """This zygote's groups, or None where cgroups v1 are not this process's to make."""
        if os.getuid() != 0:
            return None
        groups = cls(f"socket-grader-{os.getpid()}", {}, {})
        try:
            for controller in CONTROLLERS:
                top = os.open(f"{MOUNTS}/{controller}", os.O_RDONLY | os.O_DIRECTORY)
                groups.tops[controller] = top
                _remove_stale(top)
                os.mkdir(groups.name, 0o700, dir_fd=top)
                folder = os.open(groups.name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=top)
                groups.folders[controller] = folder
        except OSError:
            groups.close()
            return None
        return groups

    def make(self, memory_bytes, tasks):
        """A run's groups with their caps: (name, descriptors of their ``cgroup.procs``)."""
        reused = bool(self.spare)
        if reused:
            name = self.spare.pop()
        else:
            self.count += 1
            name = f"run-{self.count}"
        procs = []
        try:
            for controller, limit_file in CONTROLLERS.items():
                parent = self.folders[controller]
                if not reused:
                    os.mkdir(name, 0o700, dir_fd=parent)
                folder = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=parent)
                try:
                    cap = memory_bytes if controller == "memory" else tasks
                    _write(limit_file, str(cap), folder)
                    procs.append(os.open("cgroup.procs", os.O_WRONLY, dir_fd=folder))
                finally:
                    os.close(folder)
        except OSError:
            for fd in procs:
                os.close(fd)
            self.remove(name)
            raise
        self.oom_base[name] = self._oom_count(name)
        return name, procs

    @staticmethod
    def join(procs):
        """Move this process (the run's first) into the run's groups."""
        for fd in procs:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)

    def oom_kills(self, name):
        """How many of the run's processes its memory cap has killed since the group was given.

        cgroup v1 counts them in ``memory.oom_control`` (``oom_kill``), for the group's whole
        life: the count when it was given to the run is subtracted.
        """
        return max(0, self._oom_count(name) - self.oom_base.pop(name, 0))

    def _oom_count(self, name):
        try:
            fd = os.open(f"{name}/memory.oom_control", os.O_RDONLY, dir_fd=self.folders["memory"])
        except OSError:
            return 0
        try:
            text = os.read(fd, 4096).decode("ascii", "replace")
        finally:
            os.close(fd)
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
        return 0

    def release(self, name):
        """A run ended (its processes are gone): keep its groups for the next run, or remove them."""
        if len(self.spare) < SPARE:
            self.spare.append(name)
        else:
            self.remove(name)

    def remove(self, name):
        """Remove a run's groups (its processes are gone); keep trying the ones that failed."""
        for target in [name, *self.leftover]:
            if target in self.leftover:
                self.leftover.remove(target)
            for parent in self.folders.values():
                try:
                    os.rmdir(target, dir_fd=parent)
                except FileNotFoundError:
                    pass
                except OSError:
                    if target not in self.leftover:
                        self.leftover.append(target)

    def close(self):
        """Remove what is left and this zygote's own groups (the zygote is ending)."""
        for target in [*self.spare, *self.leftover]:
            self.remove(target)
        self.spare.clear()
        for fd in self.folders.values():
            os.close(fd)
        for top in self.tops.values():
            try:
                os.rmdir(self.name, dir_fd=top)
            except OSError:
                pass  # never made, or a run's group still leaving: an empty group is left
            finally:
                os.close(top)
        self.folders.clear()
        self.tops.clear()
