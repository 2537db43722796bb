# hostile: sends SIGKILL to its parent process (the grader, if nothing stands in between)
import os
import signal
import time

if os.getppid() != 1:  # in a PID namespace the parent is PID 1 (the run's supervisor)
    # Safety net for the test machine: outside a PID namespace this would kill the test run.
    raise SystemExit(5)
os.kill(os.getppid(), signal.SIGKILL)
time.sleep(0.2)
