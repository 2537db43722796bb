# expect: fail
# why: The server reads lines, and HELLO has no newline: it never answers, and the client waits.
# fails: sent/line_without_newline
import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(b"HELLO")
    print(sock.recv(1024).decode())
