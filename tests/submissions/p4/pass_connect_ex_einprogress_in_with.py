# expect: pass
# why: Inside the with block: setblocking(False), connect_ex() returns EINPROGRESS, select() before each send and each recv.
import errno
import select
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.setblocking(False)
    code = client_socket.connect_ex(('127.0.0.1', 9090))
    if code not in (0, errno.EINPROGRESS):
        raise OSError(code, 'connect failed')
    for _ in range(n):
        select.select([], [client_socket], [], 5)
        client_socket.sendall(input().encode())
        select.select([client_socket], [], [], 5)
        print(client_socket.recv(1024).decode())
