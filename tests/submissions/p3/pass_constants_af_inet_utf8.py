# expect: pass
# why: Reads the line with input(), sends it as UTF-8, prints the decoded reply and closes the socket.
import socket

HOST = '127.0.0.1'
PORT = 9090

message = input()
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect((HOST, PORT))
client_socket.send(message.encode('utf-8'))
data = client_socket.recv(1024)
print(data.decode('utf-8'))
client_socket.close()
