# expect: fail
# why: Breaks "clean end": after a right exchange it reserves a 2 GiB buffer, past the memory limit (MemoryError).
# fails: clean_end/memory
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
buffer = bytearray(2 * 1024 ** 3)
