# expect: fail
# why: Breaks the output rule: the reply is printed to standard error (file=sys.stderr), which is not output.
# fails: output/printed_to_stderr
import socket
import sys

message = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(message.encode())
    print(client_socket.recv(1024).decode(), file=sys.stderr)
