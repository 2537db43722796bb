# expect: pass
# why: A selectors client: non-blocking connect_ex, send when writable, print the reply when readable, close().
import selectors
import socket

message = input().encode()
sel = selectors.DefaultSelector()
client_socket = socket.socket()
client_socket.setblocking(False)
client_socket.connect_ex(('127.0.0.1', 9090))
sel.register(client_socket, selectors.EVENT_WRITE)
reply = None
while reply is None:
    for key, events in sel.select(timeout=5):
        if events & selectors.EVENT_WRITE:
            sent = client_socket.send(message)
            message = message[sent:]
            if not message:
                sel.modify(client_socket, selectors.EVENT_READ)
        elif events & selectors.EVENT_READ:
            reply = client_socket.recv(1024)
print(reply.decode())
sel.close()
client_socket.close()
