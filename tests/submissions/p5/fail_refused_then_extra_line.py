# expect: fail
# why: Breaks the output rule of the server-down run: after 'Connection refused' it prints a second line.
# fails: output/refused_extra_line
import socket

try:
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())
        print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('Connection refused')
    print('Is the server running?')
