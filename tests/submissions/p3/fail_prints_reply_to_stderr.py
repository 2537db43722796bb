# expect: fail
# why: Breaks "the output is standard output": the reply is printed to standard error, which is not output.
# fails: output/printed_to_stderr
import socket
import sys

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode(), file=sys.stderr)
