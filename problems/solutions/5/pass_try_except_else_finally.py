# expect: pass
# why: Catches ConnectionRefusedError to print 'Connection refused', otherwise does the exchange; closes in finally.
import socket

HOST, PORT = '127.0.0.1', 9090

client_socket = socket.socket()
try:
    client_socket.connect((HOST, PORT))
except ConnectionRefusedError:
    print('Connection refused')
else:
    client_socket.send('Wake up, Neo'.encode())
    print(client_socket.recv(1024).decode())
finally:
    client_socket.close()
