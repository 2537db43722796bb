# expect: fail
# why: Breaks "print exactly Connection refused": the right words, printed with the quotes around them.
# fails: output/refused_quoted
import socket

try:
    client_socket = socket.socket()
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
    print(client_socket.recv(1024).decode())
    client_socket.close()
except ConnectionRefusedError:
    print('"Connection refused"')
