# expect: fail
# why: Breaks "print the reply": it assumes an echo server and prints its own message instead of what was received.
# fails: output/output_differs
import socket

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
reply = client_socket.recv(1024)
print(message)
client_socket.close()
