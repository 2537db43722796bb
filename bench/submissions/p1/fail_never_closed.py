# expect: fail
# why: Connects but never closes: the interpreter closes the socket at exit, not the script.
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
