# expect: pass
# why: setblocking(False) then connect_ex() returns EINPROGRESS; once writable, the message is sent and the socket closed.
import errno
import select
import socket

client_socket = socket.socket()
client_socket.setblocking(False)
code = client_socket.connect_ex(('127.0.0.1', 9090))
if code not in (0, errno.EINPROGRESS):
    raise OSError(code, 'connect failed')
select.select([], [client_socket], [], 5)
client_socket.setblocking(True)
client_socket.sendall(b'Wake up, Neo')
client_socket.close()
