# expect: fail
# why: Breaks "close the connection": `del` drops the socket and the garbage collector closes it; the script never calls close().
# fails: closed/dropped_not_closed
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
del client_socket
