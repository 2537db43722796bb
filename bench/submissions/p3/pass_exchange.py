# expect: pass
# why: Reads a line, sends it encoded, prints the decoded reply, closes the socket.
import socket

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
