# expect: fail
# why: Breaks "close the connection": close() is called, but the file from makefile() still holds the socket open until the interpreter exits.
# fails: closed/still_held
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
reader = client_socket.makefile('rb')
client_socket.close()
