# hostile: (routed mode) a correct problem 2 that first says it is ready (a file) and waits until the test, playing another grading's script, has connected to this grading's listener
import os
import socket
import time

open("__READY__", "w").close()
end = time.monotonic() + 20
while not os.path.exists("__GO__") and time.monotonic() < end:
    time.sleep(0.01)

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
