# expect: fail
# why: Breaks "clean end": it reads a line with input(), but this problem gives no input, so input() raises EOFError.
# fails: connected/crashed_before_connect
import socket

host = input()
client_socket = socket.socket()
client_socket.connect((host, 9090))
client_socket.close()
