# expect: fail
# why: The request has no empty line after the header, so the server waits for the rest of it.
# fails: sent/header_without_blank_line
import socket

path = input()
with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n".encode())
    print(sock.recv(4096).decode())
