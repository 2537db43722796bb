"""The seccomp filter every run gets last, just before the script's body: a deny list.

Strategy: a small classic BPF program built here by hand rather than through libseccomp, because
the sandbox must import with the standard library alone (it runs under ``python -I`` in the
learner's interpreter, where no binding is installed), and the program needed is short: check the
audit architecture (any other ABI, x32 included, is refused), then compare the call number with a
fixed list. Denied calls fail with EPERM, so a script sees a plain ``PermissionError``; everything
else is allowed. ``clone`` is allowed only without namespace flags (it cannot be filtered by
argument through ``clone3``'s struct, so ``clone3`` answers ENOSYS and libc falls back to
``clone``). The list covers what could undo the sandbox (mounts, namespaces, ptrace, keyrings,
BPF, io_uring which bypasses the filter for its own operations) or pass its limits unseen
(``memfd_create`` pages are not counted by RLIMIT_AS, ``fallocate`` reserves disk past
RLIMIT_FSIZE, and System V shared memory, semaphore sets and message queues hold kernel memory
that no rlimit counts: without a cgroup one script took 2 GB that way).
"""

import struct

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_BIT = 0x40000000
CLONE_NAMESPACE_FLAGS = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

DENIED = (
    "mount umount2 pivot_root open_tree move_mount fsopen fsconfig fsmount fspick mount_setattr "
    "unshare setns ptrace process_vm_readv process_vm_writev keyctl add_key request_key bpf "
    "perf_event_open memfd_create memfd_secret userfaultfd fallocate kexec_load init_module "
    "finit_module swapon open_by_handle_at io_uring_setup io_uring_enter io_uring_register "
    "shmget semget msgget"
).split()

NUMBERS = {
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
}  # fmt: skip

# classic BPF opcodes
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
RET_KILL_PROCESS, RET_ALLOW = 0x80000000, 0x7FFF0000
RET_ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38
NR_OFFSET, ARCH_OFFSET, ARG0_OFFSET = 0, 4, 16  # struct seccomp_data (arg0's low half, LE)


def _op(code, k, jt=0, jf=0):
    return struct.pack("=HBBI", code, jt, jf, k)


def build_filter(machine):
    """The filter program for ``machine`` (``os.uname().machine``), as bytes for the kernel."""
    if machine not in NUMBERS:
        raise OSError(38, f"seccomp: no filter for {machine}")
    nr = NUMBERS[machine]
    denied = [nr[name] for name in DENIED]
    # Layout: arch check (3), load nr (1), x32 check (1), one test per denied call, the clone
    # tests (clone3: 1; clone: 3), then the returns: allow, EPERM, ENOSYS.
    ops = [
        _op(LD_W_ABS, ARCH_OFFSET),
        _op(JEQ_K, AUDIT_ARCH[machine], jt=1),
        _op(RET_K, RET_KILL_PROCESS),
        _op(LD_W_ABS, NR_OFFSET),
    ]
    tests = len(denied) + 1 + 1 + 3  # x32, denied..., clone3, clone (jeq, load arg0, jset)
    allow_at = len(ops) + tests  # index of "return ALLOW"

    def to(target):
        return target - (len(ops) + 1)

    ops.append(_op(JGE_K, X32_BIT, jt=to(allow_at + 1)))
    for number in denied:
        ops.append(_op(JEQ_K, number, jt=to(allow_at + 1)))
    ops.append(_op(JEQ_K, nr["clone3"], jt=to(allow_at + 2)))
    ops.append(_op(JEQ_K, nr["clone"], jf=to(allow_at)))
    ops.append(_op(LD_W_ABS, ARG0_OFFSET))
    ops.append(_op(JSET_K, CLONE_NAMESPACE_FLAGS, jt=to(allow_at + 1)))
    assert len(ops) == allow_at
    ops.append(_op(RET_K, RET_ALLOW))
    ops.append(_op(RET_K, RET_ERRNO | EPERM))
    ops.append(_op(RET_K, RET_ERRNO | ENOSYS))
    return b"".join(ops)
