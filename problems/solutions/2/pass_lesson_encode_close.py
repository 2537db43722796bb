# expect: pass
# why: Sends 'Wake up, Neo'.encode() over one connection to 127.0.0.1:9090 and closes it with close().
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
message = 'Wake up, Neo'
client_socket.send(message.encode())
client_socket.close()
