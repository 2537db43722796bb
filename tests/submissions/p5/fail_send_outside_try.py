# expect: fail
# why: Breaks "end normally": after printing the refusal it goes on to send on the unconnected socket and raises.
# fails: clean_end/exception
import socket

client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
except ConnectionRefusedError:
    print('Connection refused')

client_socket.send('Wake up, Neo'.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
