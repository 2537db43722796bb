# hostile: does problem 3's exchange but writes the reply followed by bytes that are not UTF-8, straight to sys.stdout.buffer
import socket
import sys

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
reply = client_socket.recv(1024)
client_socket.close()
sys.stdout.buffer.write(reply + b'\xff\xfe\xc3\x28 \xed\xa0\x80 \x80\n')
sys.stdout.buffer.write(b'\xf4\x90\x80\x80 \xc0\xaf\n')
