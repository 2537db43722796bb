# expect: fail
# why: Sends HELLO without reading the greeting, so the code is missing.
# fails: sent/not_from_reply
import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(b"HELLO\n")
    print(sock.recv(1024).decode().strip())
