# expect: fail
# why: Breaks "send the message exactly": after the reply it sends 'bye' as well.
# fails: sent/after_last_reply
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
    client_socket.send(b'bye')
