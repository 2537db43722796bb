# expect: fail
# why: Breaks "Connection refused is not printed with the server up": the print sits in finally and always runs.
# fails: output/refused_when_up
import socket

client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
    print(client_socket.recv(1024).decode())
finally:
    print('Connection refused')
    client_socket.close()
