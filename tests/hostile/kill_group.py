# hostile: sends SIGKILL to its whole process group, os.kill(0, SIGKILL)
import os
import signal
import time

os.kill(0, signal.SIGKILL)
time.sleep(0.2)
