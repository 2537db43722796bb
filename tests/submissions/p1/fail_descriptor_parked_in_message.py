# expect: fail
# why: Breaks "the script closes the connection": its descriptor is parked in a Unix socket message nobody receives, which keeps the socket open after close().
# fails: closed/held_without_descriptor
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
parked, other = socket.socketpair()
parked.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, client_socket.fileno().to_bytes(4, 'little'))])
client_socket.close()
