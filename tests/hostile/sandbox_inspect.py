# hostile: looks around from inside: what / holds, its capabilities, no_new_privs, seccomp, its uid outside, its cgroups, the scratch folder and sys.path; sends like a correct problem 2 only when all is as the test expects (exit status 3 and the differences on stderr if not)
import json
import os
import socket
import sys

expected = json.loads("""__EXPECTED__""")
status = dict(
    line.rstrip("\n").split(":\t", 1) for line in open("/proc/self/status") if ":\t" in line
)
with open("/proc/self/uid_map") as f:
    inside, outside, count = (int(x) for x in f.read().split())
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
    "in_run_cgroup": all(
        "/run-" in line for line in open("/proc/self/cgroup") if line.split(":")[1] in ("memory", "pids")
    )
    and any(line.split(":")[1] == "pids" for line in open("/proc/self/cgroup")),
    "outside_in_range": expected["first_id"] <= outside <= expected["last_id"],
}
differences = {k: v for k, v in seen.items() if k in expected and expected[k] != v}
if differences:
    sys.stderr.write(f"differs: {json.dumps(differences)}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if differences else 0)
