import socket
import sys

path = sys.stdin.readline().strip()
with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    with sock.makefile("rb") as stream:
        response = stream.read()
print(response.partition(b"\r\n\r\n")[2].decode())
