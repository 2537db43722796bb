# expect: pass
# why: One exchange inside a with block on localhost:9090: sendall of the encoded line, decoded reply printed.
import socket

with socket.socket() as client_socket:
    client_socket.connect(('localhost', 9090))
    message = input()
    client_socket.sendall(message.encode())
    reply = client_socket.recv(1024).decode()
    print(reply)
