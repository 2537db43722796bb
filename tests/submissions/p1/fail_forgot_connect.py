# expect: fail
# why: Breaks "one connection reached the server": the socket is created and closed, but connect() is never called.
# fails: connected/never_connected
import socket

client_socket = socket.socket()
client_socket.close()
