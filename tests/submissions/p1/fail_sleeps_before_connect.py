# expect: fail
# why: Breaks "ends within the time limit": it waits a minute before connecting, so the time limit stops it first.
# fails: connected/timeout_before_connect
import socket
import time

time.sleep(60)
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
