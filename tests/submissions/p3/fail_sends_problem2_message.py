# expect: fail
# why: Breaks "send the message read from standard input": it sends problem 2's 'Wake up, Neo' instead.
# fails: sent/sent_different
import socket

message = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
    print(client_socket.recv(1024).decode())
