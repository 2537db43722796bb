# expect: fail
# why: Answers the first question only, as if the number of questions were known.
# fails: sent/reply_unanswered
import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(b"HELLO\n")
    _, a, b = sock.recv(1024).decode().split()
    sock.sendall(f"{int(a) + int(b)}\n".encode())
    print(sock.recv(1024).decode().strip())
