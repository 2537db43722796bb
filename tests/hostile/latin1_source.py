# hostile: saved as latin-1 (no coding cookie): the é bytes are not UTF-8
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Café Neo'.encode())
client_socket.close()
