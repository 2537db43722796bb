# expect: pass
# why: from-import of socket, still one with-block connection to localhost:9090 and one reply per line.
from socket import socket, AF_INET, SOCK_STREAM

HOST = 'localhost'
PORT = 9090

n = int(input())
with socket(AF_INET, SOCK_STREAM) as conn:
    conn.connect((HOST, PORT))
    for _ in range(n):
        conn.sendall(input().encode())
        print(conn.recv(1024).decode())
