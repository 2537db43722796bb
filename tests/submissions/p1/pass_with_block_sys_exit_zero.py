# expect: pass
# why: The with block closes the socket, and sys.exit(0) afterwards is still a clean end.
import socket
import sys

ADDRESS = ('127.0.0.1', 9090)

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client_socket:
    client_socket.connect(ADDRESS)

sys.exit(0)
