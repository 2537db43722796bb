# hostile: spawns children, grandchildren, a setsid() double-forked daemon, a SIGTERM/SIGHUP-ignoring child, 50 forked sleepers and a stopped child (problem 2)
# The test replaces __MARKER__ with a fresh uuid and names the file after it, so every descendant
# (forked: the script path is in its command line; exec'd: the marker is an argument) is findable
# in /proc from outside the run's PID namespace. __LINGER__ is how long the script itself then
# sleeps: 0.5 s (it ends by itself, leaving its tree behind) or 60 s (stopped at the time limit).
import os
import signal
import subprocess
import sys
import time

MARKER = "MARKER-__MARKER__"
LINGER = __LINGER__
SLEEPER = "import time; time.sleep(60)"


def sleeper(extra=""):
    return subprocess.Popen(
        [sys.executable, "-c", extra + SLEEPER, MARKER],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# a child that starts a grandchild, then sleeps
sleeper(
    "import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', "
    + repr(MARKER)
    + "]); "
)

# a double-forked daemon in its own session
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", SLEEPER, MARKER, "daemon"])
    os._exit(0)
os.waitpid(pid, 0)

# a child that ignores SIGTERM and SIGHUP
sleeper(
    "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "signal.signal(signal.SIGHUP, signal.SIG_IGN); "
)

# a small fork bomb: 50 forked sleepers (cheap copies of this interpreter)
for _ in range(50):
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(60)
        os._exit(0)

# a stopped child
child = os.fork()
if child == 0:
    time.sleep(60)
    os._exit(0)
os.kill(child, signal.SIGSTOP)

print("tree started", flush=True)
time.sleep(LINGER)
