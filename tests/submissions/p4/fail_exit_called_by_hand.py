# expect: fail
# why: Breaks "the with block closes the connection": the script calls client_socket.__exit__() by hand; there is no with block.
# fails: closed/exit_by_hand
import socket

n = int(input())
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
for _ in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
client_socket.__exit__(None, None, None)
