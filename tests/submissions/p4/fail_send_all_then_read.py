# expect: fail
# why: Breaks "the next one only after its reply": it sends every message first and only then reads the replies.
# fails: sent/sent_before_reply
import socket

n = int(input())
messages = [input() for _ in range(n)]
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for message in messages:
        client_socket.send(message.encode())
    for _ in range(n):
        print(client_socket.recv(1024).decode())
