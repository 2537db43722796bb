# expect: pass
# why: setblocking(False) then connect_ex() returns EINPROGRESS; select() waits for the connection, then close().
import errno
import select
import socket

client_socket = socket.socket()
client_socket.setblocking(False)
code = client_socket.connect_ex(('127.0.0.1', 9090))
if code not in (0, errno.EINPROGRESS):
    raise OSError(code, 'connect failed')
select.select([], [client_socket], [], 5)
client_socket.close()
