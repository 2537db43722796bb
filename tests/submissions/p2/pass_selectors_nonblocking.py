# expect: pass
# why: A selectors client: non-blocking connect_ex, send once writable, then close().
import selectors
import socket

sel = selectors.DefaultSelector()
client_socket = socket.socket()
client_socket.setblocking(False)
client_socket.connect_ex(('127.0.0.1', 9090))
sel.register(client_socket, selectors.EVENT_WRITE)
message = b'Wake up, Neo'
while message:
    for key, events in sel.select(timeout=5):
        sent = key.fileobj.send(message)
        message = message[sent:]
sel.unregister(client_socket)
sel.close()
client_socket.close()
