# expect: fail
# why: Breaks "print exactly Connection refused": it prints 'Connection refused!'.
# fails: output/refused_exactly
import socket

try:
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())
        print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('Connection refused!')
