# expect: fail
# why: Breaks "clean end": the socket is closed too early, so send() on it raises OSError.
# fails: sent/sent_nothing_crash
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
client_socket.send(b'Wake up, Neo')
