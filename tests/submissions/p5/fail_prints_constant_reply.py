# expect: fail
# why: Breaks "printing a constant never passes": it prints a reply seen once (seed 0) instead of the one it receives.
# fails: output/output_differs
import socket

try:
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send(b'Wake up, Neo')
        client_socket.recv(1024)
        print('The Matrix has you… [794772]')
except ConnectionRefusedError:
    print('Connection refused')
