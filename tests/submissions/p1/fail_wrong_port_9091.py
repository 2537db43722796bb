# expect: fail
# why: Breaks the address rule: connects to port 9091 instead of 9090.
# fails: connected/wrong_address
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9091))
