# expect: fail
# why: Breaks "the server sees an orderly close": the message is right, but SO_LINGER 0 turns close() into a reset (RST).
# fails: closed/reset
import socket
import struct

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
client_socket.close()
