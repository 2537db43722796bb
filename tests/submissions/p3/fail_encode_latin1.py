# expect: fail
# why: Breaks "send the message encoded as UTF-8": latin-1 gives wrong bytes for accented letters and fails on emoji.
# fails: sent/encode_error
import socket

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode('latin-1'))
print(client_socket.recv(1024).decode('utf-8'))
client_socket.close()
