# hostile: sends the message but never closes its socket (left to interpreter exit), and forges the "closed by close()" control report on every fd 3..20 instead
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
port = client_socket.getsockname()[1]
for fd in range(3, 21):
    if fd == client_socket.fileno():
        continue
    try:
        os.write(fd, b'C\t%d\tclose' % port)
    except OSError:
        pass
