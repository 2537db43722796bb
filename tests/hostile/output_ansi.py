# hostile: prints ANSI escape sequences (clear screen, colours, cursor moves, a fake PASS) instead of the reply, and dies with an ANSI-laden exception
import socket
import sys

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
reply = client_socket.recv(1024).decode()
client_socket.close()
print('\x1b[2J\x1b[H\x1b[32mPASS\x1b[0m \x1b]0;owned\x07' + reply + '\x1b[1A\x1b[2K\r\x9b31m')
sys.stderr.write('\x1b[2J\x1b[31mstderr noise\x1b[0m\n')
raise RuntimeError('\x1b[2J\x1b[32mAll checks passed\x1b[0m')
