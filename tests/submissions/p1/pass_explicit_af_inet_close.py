# expect: pass
# why: Connects an AF_INET stream socket to 127.0.0.1:9090, sends nothing and closes it with close().
import socket

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
