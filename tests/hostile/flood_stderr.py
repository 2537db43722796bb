# hostile: does problem 2 right, then writes 300 MB to stderr in a loop
import socket
import sys

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
chunk = 'x' * 65536
for _ in range(300 * 16):
    sys.stderr.write(chunk)
