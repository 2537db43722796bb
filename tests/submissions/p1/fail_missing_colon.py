# expect: fail
# why: Breaks "is a Python script": the with statement has no colon, a SyntaxError.
# fails: source/syntax
import socket

with socket.socket() as client_socket
    client_socket.connect(('127.0.0.1', 9090))
