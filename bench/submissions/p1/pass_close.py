# expect: pass
# why: Connects to 127.0.0.1:9090 and closes the socket without sending anything.
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
