# expect: fail
# why: Breaks "exactly one connection": it connects, closes, then connects a second time to check again.
# fails: connected/too_many_connections
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
