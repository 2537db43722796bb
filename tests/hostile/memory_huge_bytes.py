# hostile: allocates 4 GB at once before doing problem 2
import socket

blob = b'x' * (4 * 1024**3)
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
