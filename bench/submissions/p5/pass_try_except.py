# expect: pass
# why: Catches ConnectionRefusedError and prints 'Connection refused'; otherwise the exchange.
import socket

client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
    print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('Connection refused')
finally:
    client_socket.close()
