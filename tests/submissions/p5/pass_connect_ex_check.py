# expect: pass
# why: connect_ex() returning non-zero means refused and prints exactly 'Connection refused'; the socket is closed either way.
import socket

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
result = sock.connect_ex(('localhost', 9090))
if result != 0:
    print('Connection refused')
else:
    sock.sendall('Wake up, Neo'.encode('utf-8'))
    print(sock.recv(1024).decode('utf-8'))
sock.close()
