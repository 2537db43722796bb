# expect: fail
# why: Breaks the exact message rule: str() of the bytes is sent, so the server gets the text "b'Wake up, Neo'".
# fails: sent/sent_repr
import socket

message = 'Wake up, Neo'.encode()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(str(message).encode())
