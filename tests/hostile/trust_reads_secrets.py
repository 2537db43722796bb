# hostile: looks for the grader's secrets and for other submissions in everything a run can read of itself (its environment block, its command line, its whole memory) and prints what it found; does problem 2 correctly
import os
import socket

# Each wanted string in two halves, never joined here: only someone else's copy of the whole
# string can be found.
WANTED = [tuple(half.encode() for half in w.split(",")) for w in "__WANTED__".split("|")]


def search(data):
    hits = set()
    for head, tail in WANTED:
        at = data.find(head)
        while at >= 0:
            if data[at + len(head) : at + len(head) + len(tail)] == tail:
                hits.add(head.decode() + "+" + tail.decode())
                break
            at = data.find(head, at + 1)
    return hits


found = set()
for name in ("environ", "cmdline"):
    with open(f"/proc/self/{name}", "rb") as f:
        data = f.read()
    found |= search(data)
# Every readable mapping of this process: a copy of the zygote's memory, and its own.
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as mem:
    for line in maps:
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        if "r" not in fields[1] or end - start > 512 << 20:
            continue
        try:
            mem.seek(start)
            chunk = mem.read(end - start)
        except (OSError, OverflowError, ValueError):
            continue
        found |= search(chunk)
print("FOUND " + " ".join(sorted(found)) if found else "FOUND nothing")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
