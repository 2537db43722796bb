# expect: pass
# why: The learner's own class is the with block's context manager; its __exit__ closes the socket when the block ends.
import socket


class Connection:
    def __init__(self, address):
        self.sock = socket.socket()
        self.address = address

    def __enter__(self):
        self.sock.connect(self.address)
        return self.sock

    def __exit__(self, *exc_info):
        self.sock.close()


n = int(input())
with Connection(('127.0.0.1', 9090)) as client_socket:
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
