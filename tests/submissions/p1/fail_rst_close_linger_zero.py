# expect: fail
# why: Breaks "the server sees an orderly close": SO_LINGER 0 makes close() send a reset (RST), not a FIN.
# fails: closed/reset
import socket
import struct

client_socket = socket.socket()
client_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
