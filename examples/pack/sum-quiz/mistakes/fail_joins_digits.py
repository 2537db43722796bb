# expect: fail
# why: Adds the numbers as text: "17" + "25" is "1725", not the sum.
# fails: sent/not_from_reply
import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    sock.sendall(b"HELLO\n")
    while True:
        line = sock.recv(1024).decode().strip()
        if not line.startswith("SUM"):
            print(line)
            break
        _, a, b = line.split()
        sock.sendall((a + b + "\n").encode())
