# hostile: three child processes each hold 48 MiB (well under the per-process limit), together past the run's memory cap; sends like a correct problem 2 only when one of them was stopped (exit status 3 if all three held their memory)
import os
import socket
import sys
import time

children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")  # if anything is stopped for memory, let it be one of these
        hold = bytearray(48 << 20)
        for i in range(0, len(hold), 4096):
            hold[i] = 1  # touch every page: resident, not just reserved
        time.sleep(1)
        os._exit(0)
    children.append(pid)
statuses = [os.waitpid(pid, 0)[1] for pid in children]
escaped = all(os.WIFEXITED(s) and os.WEXITSTATUS(s) == 0 for s in statuses)
if escaped:
    sys.stderr.write("escaped: three processes held 144 MiB together\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if escaped else 0)
