# expect: fail
# why: Breaks "close the connection": the script ends with os._exit(0) while its socket is still open.
# fails: closed/never_closed
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
os._exit(0)
