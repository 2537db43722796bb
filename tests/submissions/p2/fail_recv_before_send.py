# expect: fail
# why: Breaks "send the message": it waits in recv() for the server to speak first, and the server only listens.
# fails: sent/sent_nothing_timeout
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    greeting = client_socket.recv(1024)
    client_socket.send('Wake up, Neo'.encode())
