# expect: fail
# why: Breaks "close the connection": SO_LINGER with a zero timeout makes close() send a reset (RST), not FIN.
# fails: closed/reset_no_reply
import socket
import struct

client_socket = socket.socket()
client_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
client_socket.connect(('127.0.0.1', 9090))
client_socket.close()
