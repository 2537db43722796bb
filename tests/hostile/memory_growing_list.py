# hostile: grows a list by 1 MB blocks towards 4 GB (problem 2)
import socket

hoard = []
for _ in range(4096):
    hoard.append(bytearray(1024 * 1024))
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
