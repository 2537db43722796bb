# expect: fail
# why: Breaks "connect to the server": a SOCK_DGRAM (UDP) socket's connect() returns at once but reaches no TCP server.
# fails: connected/not_tcp
import socket

client_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
