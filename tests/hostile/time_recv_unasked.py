# hostile: sends the message, then waits in recv() for a reply the problem-2 server never sends
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
