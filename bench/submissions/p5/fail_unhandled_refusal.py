# expect: fail
# why: Does not catch ConnectionRefusedError: a traceback when the server is down.
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
