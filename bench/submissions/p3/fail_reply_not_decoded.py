# expect: fail
# why: Prints the reply as bytes (b'...') instead of decoding it.
import socket

message = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(message.encode())
    print(client_socket.recv(1024))
