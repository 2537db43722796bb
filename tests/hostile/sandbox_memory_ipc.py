# hostile: takes kernel memory that no rlimit counts: System V shared memory, semaphore sets and message queues, and thousands of empty files in /dev/shm and the scratch folder; sends like a correct problem 2 only when each was refused or capped (exit status 3 if one got through)
import ctypes
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
escaped = []
segment = libc.shmget(IPC_PRIVATE, ctypes.c_size_t(64 << 20), IPC_CREAT | 0o600)
if segment >= 0:
    escaped.append("shmget: a 64 MiB segment")
    libc.shmctl(segment, IPC_RMID, None)
semaphores = libc.semget(IPC_PRIVATE, 250, IPC_CREAT | 0o600)
if semaphores >= 0:
    escaped.append("semget: a set of 250 semaphores")
    libc.semctl(semaphores, 0, IPC_RMID)
queue = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)
if queue >= 0:
    escaped.append("msgget: a message queue")
    libc.msgctl(queue, IPC_RMID, None)
for folder, past in (("/dev/shm", 2000), (".", 8000)):
    made = 0
    try:
        for made in range(1, past + 1):
            os.close(os.open(f"{folder}/f{made}", os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        made -= 1
    if made >= past:
        escaped.append(f"{folder}: {made} empty files")
if escaped:
    sys.stderr.write(f"escaped: {escaped}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if escaped else 0)
