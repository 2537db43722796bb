# expect: pass
# why: A selectors client: non-blocking connect_ex, and once writable SO_ERROR tells refused from connected.
import selectors
import socket

sel = selectors.DefaultSelector()
client_socket = socket.socket()
client_socket.setblocking(False)
client_socket.connect_ex(('127.0.0.1', 9090))
sel.register(client_socket, selectors.EVENT_WRITE)
sel.select(timeout=5)
error = client_socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
if error:
    print('Connection refused')
else:
    sel.modify(client_socket, selectors.EVENT_READ)
    client_socket.send('Wake up, Neo'.encode())
    sel.select(timeout=5)
    print(client_socket.recv(1024).decode())
sel.close()
client_socket.close()
