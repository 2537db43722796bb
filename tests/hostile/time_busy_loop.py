# hostile: spins forever in a busy loop before it ever connects (problem 2)
import socket

n = 0
while True:
    n += 1
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
