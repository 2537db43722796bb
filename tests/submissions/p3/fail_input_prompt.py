# expect: fail
# why: Breaks the output rule: the input() prompt 'Enter a message: ' is printed to stdout before the reply.
# fails: output/extra_output
import socket

message = input('Enter a message: ')
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
