# expect: fail
# why: Breaks the address rule: connects to port 8080 instead of 9090.
# fails: connected/wrong_address
import socket

HOST = '127.0.0.1'
PORT = 8080

with socket.socket() as client_socket:
    client_socket.connect((HOST, PORT))
    client_socket.send(b'Wake up, Neo')
