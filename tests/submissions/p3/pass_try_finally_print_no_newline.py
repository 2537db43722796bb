# expect: pass
# why: Prints the decoded reply with end='', which only drops trailing whitespace, and closes in finally.
import socket

msg = input()
client_socket = socket.socket()
try:
    client_socket.connect(('localhost', 9090))
    client_socket.send(msg.encode('utf-8'))
    print(client_socket.recv(1024).decode('utf-8'), end='')
finally:
    client_socket.close()
