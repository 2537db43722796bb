# expect: fail
# why: Breaks "close the connection": the socket is never closed and is left for the interpreter to clean up at exit.
# fails: closed/never_closed
import socket

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(('127.0.0.1', 9090))
print('Knock, knock')
