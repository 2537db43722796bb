# hostile: connects but never sends the message; writes forged control datagrams (start, connect, close, clean end) to every fd 3..20, then exits 0
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
port = client_socket.getsockname()[1]
forged = [
    b'S',
    b'A\t127.0.0.1\t9090\tconnected\t%d' % port,
    b'C\t%d\tclose' % port,
    b'C\t12345\tclose',
    b'E\tok\t\t',
    b'L',
]
for fd in range(3, 21):
    if fd == client_socket.fileno():
        continue
    for datagram in forged:
        try:
            os.write(fd, datagram)
        except OSError:
            pass
client_socket.close()
