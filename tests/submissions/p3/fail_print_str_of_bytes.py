# expect: fail
# why: Breaks the output rule: str(data) of the reply bytes prints b'...' instead of the decoded text.
# fails: output/printed_bytes
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(input().encode())
data = client_socket.recv(1024)
print(str(data))
client_socket.close()
