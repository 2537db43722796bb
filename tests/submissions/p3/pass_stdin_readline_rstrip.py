# expect: pass
# why: sys.stdin.readline() with the newline stripped off, so the exact message bytes are sent.
import socket
import sys

line = sys.stdin.readline().rstrip('\n')

sock = socket.socket()
sock.connect(('127.0.0.1', 9090))
sock.sendall(line.encode('utf-8'))
answer = sock.recv(1024)
sock.close()
print(answer.decode('utf-8'))
