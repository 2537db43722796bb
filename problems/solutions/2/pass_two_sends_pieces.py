# expect: pass
# why: Two send calls whose joined bytes are exactly b'Wake up, Neo'; the byte stream is what counts.
import socket

client_socket = socket.socket()
client_socket.connect(('localhost', 9090))
client_socket.send(b'Wake up, ')
client_socket.send(b'Neo')
client_socket.close()
