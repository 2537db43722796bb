# expect: pass
# why: The script closes its own socket with close(), from an atexit handler it registered; the server sees the FIN before the program exits.
import atexit
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
atexit.register(client_socket.close)
