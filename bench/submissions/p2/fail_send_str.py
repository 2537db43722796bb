# expect: fail
# why: Passes a str to send(): TypeError, an unclean end.
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo')
client_socket.close()
