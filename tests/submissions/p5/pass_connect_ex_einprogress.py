# expect: pass
# why: setblocking(False), connect_ex() returns EINPROGRESS; select() waits, SO_ERROR says whether it was refused.
import errno
import select
import socket

client_socket = socket.socket()
client_socket.setblocking(False)
code = client_socket.connect_ex(('127.0.0.1', 9090))
if code == errno.EINPROGRESS:
    select.select([], [client_socket], [], 5)
    code = client_socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
if code == errno.ECONNREFUSED:
    print('Connection refused')
else:
    client_socket.setblocking(True)
    client_socket.sendall(b'Wake up, Neo')
    print(client_socket.recv(1024).decode())
client_socket.close()
