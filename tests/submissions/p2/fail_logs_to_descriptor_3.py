# expect: fail
# why: Breaks the rule of leaving the grader's channel alone: the script writes a log line to descriptor 3, which it never opened.
# fails: untampered/tampered
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
try:
    os.write(3, b'message sent\n')
except OSError:
    pass
