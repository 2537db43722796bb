# expect: fail
# why: Breaks "clean end": connect() is given host and port as two arguments instead of a tuple, raising TypeError.
# fails: connected/crashed_before_connect
import socket

client_socket = socket.socket()
client_socket.connect('127.0.0.1', 9090)
client_socket.close()
