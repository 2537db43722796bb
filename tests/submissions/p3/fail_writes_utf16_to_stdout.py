# expect: fail
# why: Breaks "text is UTF-8": the reply is written to standard output as UTF-16 bytes.
# fails: output/output_not_utf8
import socket
import sys

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    sys.stdout.buffer.write(client_socket.recv(1024).decode().encode('utf-16'))
