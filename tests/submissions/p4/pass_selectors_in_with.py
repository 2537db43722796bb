# expect: pass
# why: A selectors client inside `with socket.socket() as client_socket:`: non-blocking connect_ex, each message sent when writable, its reply read when readable.
import selectors
import socket

n = int(input())
messages = [input() for _ in range(n)]
sel = selectors.DefaultSelector()
with socket.socket() as client_socket:
    client_socket.setblocking(False)
    client_socket.connect_ex(('127.0.0.1', 9090))
    sel.register(client_socket, selectors.EVENT_WRITE)
    sel.select(timeout=5)
    sel.modify(client_socket, selectors.EVENT_READ)
    for message in messages:
        client_socket.sendall(message.encode())
        sel.select(timeout=5)
        print(client_socket.recv(1024).decode())
    sel.unregister(client_socket)
