# hostile: tries to reach other hosts (8.8.8.8:53, 10.0.0.1:80, a public IPv6 address) and a server on the machine's own loopback, bypassing the socket module's wrappers; exits 3 if anything answered
# The test replaces __PORT__ with the port of a listener it runs on the machine's 127.0.0.1.
import _socket
import socket
import sys

reached = []
targets = [
    (socket.AF_INET, ('8.8.8.8', 53)),
    (socket.AF_INET, ('10.0.0.1', 80)),
    (socket.AF_INET, ('127.0.0.1', __PORT__)),
    (socket.AF_INET6, ('2001:4860:4860::8888', 53)),
]
for family, address in targets:
    for make in (socket.socket, _socket.socket):
        try:
            s = make(family, socket.SOCK_STREAM)
        except OSError:
            continue
        try:
            s.settimeout(1)
            s.connect(address)
            reached.append(address)
        except OSError:
            pass
        finally:
            s.close()
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b'\x00', ('8.8.8.8', 53))
    reached.append('udp 8.8.8.8')
except OSError:
    pass
print('reached' if reached else 'unreachable', reached)
sys.exit(3 if reached else 0)
