# expect: fail
# why: Breaks "close the connection": the script closes its socket, but a child it forked still holds it when the script ends.
# fails: closed/held_by_child
import os
import socket
import time

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
if os.fork() == 0:
    time.sleep(2)
    os._exit(0)
client_socket.close()
