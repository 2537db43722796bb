# expect: fail
# why: Breaks "the server sees an orderly close" with the server up: SO_LINGER 0 turns the close into a reset (RST).
# fails: closed/reset
import socket
import struct

try:
    with socket.socket() as client_socket:
        client_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())
        print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('Connection refused')
