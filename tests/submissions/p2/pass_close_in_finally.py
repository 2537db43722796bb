# expect: pass
# why: The message is sent inside try:, and the socket is closed in finally:.
import socket

client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
finally:
    client_socket.close()
