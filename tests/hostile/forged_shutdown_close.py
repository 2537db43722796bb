# hostile: problem 1 never closed: shutdown(SHUT_WR) sends a FIN while the socket stays open, plus a forged "closed by close()" report on the control channel (fd 3)
# fails: untampered/tampered
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.shutdown(socket.SHUT_WR)
os.write(3, b'C\t%d\tclose' % client_socket.getsockname()[1])
