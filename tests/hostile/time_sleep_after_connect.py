# hostile: connects, then sleeps for a minute without sending anything (problem 2)
import socket
import time

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
time.sleep(60)
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
