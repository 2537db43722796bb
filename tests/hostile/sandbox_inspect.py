# hostile: reads from inside what the kernel reports of its run (what / holds, every mount and its flags, its id maps, capabilities, no_new_privs, seccomp and the filter's answer to each denied call, every rlimit, the tmpfs sizes and inode caps, its cgroups) and writes into / and every read-only mount; sends like a correct problem 2 only when all is as the test expects (exit status 3 and the differences on stderr if not)
import ctypes
import json
import os
import resource
import socket
import sys

expected = json.loads("""__EXPECTED__""")
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
status = dict(
    line.rstrip("\n").split(":\t", 1) for line in open("/proc/self/status") if ":\t" in line
)


def id_map(name):
    with open(f"/proc/self/{name}") as f:
        return [[int(x) for x in line.split()] for line in f]


uid_map, gid_map = id_map("uid_map"), id_map("gid_map")
outside = uid_map[0][1]

# Every mount as the kernel reports it: mount point -> its per-mount flags.
mounts = {}
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    point = fields[4].replace("\\040", " ")
    mounts.setdefault(point, []).append(sorted(fields[5].split(",")))
flags = {point: seen[-1] for point, seen in mounts.items()}  # the one on top


def statvfs(path):
    s = os.statvfs(path)
    return [s.f_blocks * s.f_frsize, s.f_files]


# Each denied call made with arguments that would do nothing harmful (or fail for another
# reason than the filter) if it were allowed: the filter must answer EPERM (clone3: ENOSYS).
NR = {
    "x86_64": {
        "mount": 165, "umount2": 166, "pivot_root": 155, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
        "unshare": 272, "setns": 308, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321,
        "perf_event_open": 298, "memfd_create": 319, "memfd_secret": 447, "userfaultfd": 323,
        "fallocate": 285, "kexec_load": 246, "init_module": 175, "finit_module": 313,
        "swapon": 167, "open_by_handle_at": 304, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "shmget": 29, "semget": 64, "msgget": 68, "clone": 56,
        "clone3": 435,
    },
    "aarch64": {
        "mount": 40, "umount2": 39, "pivot_root": 41, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
        "unshare": 97, "setns": 268, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "keyctl": 219, "add_key": 217, "request_key": 218, "bpf": 280,
        "perf_event_open": 241, "memfd_create": 279, "memfd_secret": 447, "userfaultfd": 282,
        "fallocate": 47, "kexec_load": 104, "init_module": 105, "finit_module": 273,
        "swapon": 224, "open_by_handle_at": 265, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "shmget": 194, "semget": 190, "msgget": 186, "clone": 220,
        "clone3": 435,
    },
}[os.uname().machine]  # fmt: skip
ARGS = {
    "ptrace": (2, 0x7FFFFFFF, 0, 0),  # PEEKDATA of no process: ESRCH if allowed
    "process_vm_readv": (0x7FFFFFFF, 0, 0, 0, 0, 0),
    "process_vm_writev": (0x7FFFFFFF, 0, 0, 0, 0, 0),
    "setns": (-1, 0),
    "fallocate": (-1, 0, 0, 4096),
    "io_uring_enter": (-1, 0, 0, 0, 0, 0),
    "io_uring_register": (-1, 0, 0, 0),
    "shmget": (0, 4096, 0o1600),  # IPC_PRIVATE | IPC_CREAT: would make a segment
    "semget": (0, 1, 0o1600),
    "msgget": (0, 0o1600),
    "clone": (0x10000000 | 17, 0, 0, 0, 0),  # CLONE_NEWUSER | SIGCHLD
}
answers = {}
for name in expected["denied"]:
    args = [ctypes.c_long(a) for a in ARGS.get(name, (0, 0, 0, 0, 0, 0))]
    result = libc.syscall(NR[name], *args)
    if result == 0 and name == "clone":
        os._exit(0)  # the child of a clone that should have been refused
    if result >= 0:
        answers[name] = "allowed"
        if name == "clone":
            os.waitpid(result, 0)
    else:
        answers[name] = os.strerror(ctypes.get_errno())

# A file written where the run could reach: / (the run's own uid owns it under an ordinary
# user's grader) and the top of every mount that is not one of the writable ones.
wrote = []
for point in sorted(flags):
    if point in expected["writable"]:
        continue
    target = os.path.join(point, "planted-by-a-run")
    try:
        with open(target, "x") as f:
            f.write("planted")
        wrote.append(point)
    except OSError:
        pass
    try:
        os.mkdir(os.path.join(point, "planted-folder"))
        wrote.append(point + " (mkdir)")
    except OSError:
        pass

cgroups = {}
for line in open("/proc/self/cgroup"):
    _number, controller, path = line.rstrip("\n").split(":", 2)
    cgroups[controller] = path
for controller in ("memory", "pids"):
    print(f"cgroup {controller} {cgroups.get(controller, '')}")

seen = {
    "root": sorted(os.listdir("/")),
    "dev": sorted(os.listdir("/dev")),
    "caps": [status[k] for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")],
    "no_new_privs": status["NoNewPrivs"],
    "seccomp": status["Seccomp"],
    "cwd": os.getcwd(),
    "home": os.environ.get("HOME"),
    "tmpdir": os.environ.get("TMPDIR"),
    "path0": sys.path[0],
    "scratch": sorted(os.listdir(".")),
    "outside_is_root": outside == 0,
    "in_run_cgroup": all(cgroups.get(c, "").count("/run-") == 1 for c in ("memory", "pids")),
    "outside_in_range": expected["first_id"] <= outside <= expected["last_id"],
    "uid_map": [[inside, count] for inside, _out, count in uid_map],
    "gid_map": [[inside, "uid" if out == outside else out, count] for inside, out, count in gid_map],
    "read_only": sorted(p for p, f in flags.items() if p not in expected["writable"] and "ro" not in f),
    "no_suid": sorted(p for p, f in flags.items() if p not in expected["devices"] and "nosuid" not in f),
    "flags": {p: [f for f in flags.get(p, []) if f in ("ro", "rw", "nosuid", "nodev", "noexec")] for p in expected["flags"]},
    "rlimits": {
        name: list(resource.getrlimit(getattr(resource, f"RLIMIT_{name}")))
        for name in expected["rlimits"]
    },
    "tmpfs": {path: statvfs(path) for path in expected["tmpfs"]},
    "denied": answers,
    "wrote": wrote,
}
differences = {k: [v, expected[k]] for k, v in seen.items() if k in expected and expected[k] != v}
if differences:
    sys.stderr.write(f"differs (seen, expected): {json.dumps(differences)}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if differences else 0)
