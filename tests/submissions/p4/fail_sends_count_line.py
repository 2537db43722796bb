# expect: fail
# why: Breaks "each message exactly": the count line is sent to the server as if it were a message.
# fails: sent/sent_count_line
import socket

count = input()
n = int(count)
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(count.encode())
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
