# expect: fail
# why: Breaks the address rule: it connects to 0.0.0.0 (which Linux takes as this machine), not to 127.0.0.1 or localhost.
# fails: connected/bad_host
# fails-routed: connected/wrong_address
import socket

with socket.socket() as client_socket:
    client_socket.connect(('0.0.0.0', 9090))
    client_socket.send('Wake up, Neo'.encode())
