# expect: pass
# why: Reads the first line of stdin and sends it with a loop of send() calls until all bytes are out; reply decoded.
import socket
import sys

message = sys.stdin.read().split('\n')[0]
data = message.encode('utf-8')

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 9090))
total = 0
while total < len(data):
    total += s.send(data[total:])
reply = s.recv(1024)
print(reply.decode())
s.close()
