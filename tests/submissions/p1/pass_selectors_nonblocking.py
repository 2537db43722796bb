# expect: pass
# why: A selectors client: non-blocking connect_ex, wait until writable (connected), then close().
import selectors
import socket

sel = selectors.DefaultSelector()
client_socket = socket.socket()
client_socket.setblocking(False)
client_socket.connect_ex(('127.0.0.1', 9090))
sel.register(client_socket, selectors.EVENT_WRITE)
sel.select(timeout=5)
sel.unregister(client_socket)
client_socket.close()
