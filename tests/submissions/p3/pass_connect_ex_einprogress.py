# expect: pass
# why: setblocking(False), connect_ex() returns EINPROGRESS, select() for writable then readable; the reply printed, close().
import errno
import select
import socket

message = input()
client_socket = socket.socket()
client_socket.setblocking(False)
code = client_socket.connect_ex(('127.0.0.1', 9090))
if code not in (0, errno.EINPROGRESS):
    raise OSError(code, 'connect failed')
select.select([], [client_socket], [], 5)
client_socket.sendall(message.encode())
select.select([client_socket], [], [], 5)
print(client_socket.recv(1024).decode())
client_socket.close()
