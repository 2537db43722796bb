# expect: pass
# why: The words joined with spaces give exactly 'Wake up, Neo'; the with block closes and sys.exit(0) is clean.
import socket
import sys

words = ['Wake', 'up,', 'Neo']

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(' '.join(words).encode())

sys.exit(0)
