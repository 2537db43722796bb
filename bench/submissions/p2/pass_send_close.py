# expect: pass
# why: Sends 'Wake up, Neo' encoded over one connection and closes it.
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
