# expect: fail
# why: Breaks "send nothing": it sends b'Hello' before closing.
# fails: sent/sent_something_p1
import socket

client_socket = socket.socket()
client_socket.connect(('localhost', 9090))
client_socket.send('Hello'.encode())
client_socket.close()
