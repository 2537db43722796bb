# expect: fail
# why: Breaks "close the connection": it sends and ends without close(); the interpreter's exit closes the socket.
# fails: closed/never_closed
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
print('Sent.')
