# expect: fail
# why: Breaks "close the connection": close is referenced without parentheses, so it is never called.
# fails: closed/never_closed
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.close
