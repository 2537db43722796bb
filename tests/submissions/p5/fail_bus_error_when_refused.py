# expect: fail
# why: Breaks "end normally" when refused: after printing it writes a log through a memory map of a file cut short, and dies of SIGBUS.
# fails: clean_end/signal
import mmap
import os
import socket

try:
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())
        print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('Connection refused', flush=True)
    with open('refused.log', 'wb+') as log:
        log.write(b' ' * mmap.PAGESIZE)
        log.flush()
        mapped = mmap.mmap(log.fileno(), mmap.PAGESIZE)
        os.truncate('refused.log', 0)
        mapped[0] = ord('!')
