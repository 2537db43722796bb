# expect: fail
# why: Breaks "print exactly Connection refused": it prints 'connection refused' in lowercase.
# fails: output/refused_exactly
import socket

client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(b'Wake up, Neo')
    print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('connection refused')
finally:
    client_socket.close()
