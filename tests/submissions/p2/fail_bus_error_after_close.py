# expect: fail
# why: Breaks "clean end": after a right exchange it reads a memory-mapped file that was cut short, and dies of SIGBUS.
# fails: clean_end/signal
import mmap
import os
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())

with open('log.bin', 'wb+') as f:
    f.write(b'x' * mmap.PAGESIZE)
    f.flush()
    mapped = mmap.mmap(f.fileno(), mmap.PAGESIZE)
    os.truncate('log.bin', 0)
    print(mapped[0])
