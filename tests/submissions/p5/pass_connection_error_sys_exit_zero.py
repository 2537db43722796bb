# expect: pass
# why: Catches ConnectionError inside the with block, prints the exact text and leaves with sys.exit(0).
import socket
import sys

with socket.socket() as client_socket:
    try:
        client_socket.connect(('127.0.0.1', 9090))
    except ConnectionError:
        print('Connection refused')
        sys.exit(0)
    client_socket.send('Wake up, Neo'.encode())
    reply = client_socket.recv(1024)
    print(reply.decode())
