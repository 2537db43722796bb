# expect: pass
# why: The socket is closed with close(), then the script ends with os._exit(0): a clean end, and the close counts.
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
os._exit(0)
