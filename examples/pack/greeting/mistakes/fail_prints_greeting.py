# expect: fail
# why: Prints the greeting instead of the answer to HELLO.
# fails: output/output_differs
import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    greeting = sock.recv(1024).decode().strip()
    sock.sendall(f"HELLO {greeting.split()[1]}\n".encode())
    while sock.recv(1024):
        pass
    print(greeting)
