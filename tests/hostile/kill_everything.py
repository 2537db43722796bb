# hostile: sends SIGKILL to every process it may signal, os.kill(-1, SIGKILL), then also to each pid in /proc
import os
import signal
import time

if os.getppid() != 1:  # in a PID namespace the parent is PID 1 (the run's supervisor)
    # Safety net for the test machine: outside a PID namespace kill(-1) ends every process of
    # this user, the test run included. The test asserts that this guard did not fire.
    raise SystemExit(5)
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass  # ESRCH: nothing else to kill where it runs
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) != os.getpid():
        try:
            os.kill(int(name), signal.SIGKILL)
        except OSError:
            pass
time.sleep(0.2)
