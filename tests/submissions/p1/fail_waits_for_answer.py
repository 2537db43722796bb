# expect: fail
# why: Breaks "clean end within the time limit": it waits in recv() for an answer, but nothing was sent and the server never replies.
# fails: closed/open_at_timeout
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    answer = client_socket.recv(1024)
    print(answer.decode())
