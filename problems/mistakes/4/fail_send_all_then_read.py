# expect: fail
# why: Breaks "the next one only after its reply": it sends every message at once and only then reads the replies.
# fails: sent/sent_before_reply
import socket

n = int(input())
messages = [input() for _ in range(n)]
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.sendall(''.join(messages).encode())
    for _ in range(n):
        print(client_socket.recv(1024).decode())
