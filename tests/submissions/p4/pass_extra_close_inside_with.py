# expect: pass
# why: Correct exchange inside the with block; the extra close() before leaving the block is harmless.
import socket

count = int(input())
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client_socket:
    client_socket.connect(('localhost', 9090))
    for _ in range(count):
        client_socket.sendall(input().encode('utf-8'))
        reply = client_socket.recv(1024)
        print(reply.decode('utf-8'))
    client_socket.close()
