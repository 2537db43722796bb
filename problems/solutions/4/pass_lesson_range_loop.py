# expect: pass
# why: One with-block connection; each of the n messages is sent, then its reply received and printed decoded.
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for i in range(n):
        message = input()
        client_socket.send(message.encode())
        data = client_socket.recv(1024)
        print(data.decode())
