# expect: pass
# why: Reads stdin with read().splitlines() and talks over one create_connection with block, reply by reply.
import socket
import sys

lines = sys.stdin.read().splitlines()
n = int(lines[0])
messages = lines[1:n + 1]

with socket.create_connection(('127.0.0.1', 9090)) as s:
    for msg in messages:
        s.sendall(msg.encode('utf-8'))
        print(s.recv(1024).decode('utf-8'))
