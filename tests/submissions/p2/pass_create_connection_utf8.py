# expect: pass
# why: create_connection used as a with block sends 'Wake up, Neo' encoded as UTF-8 and closes on exit.
import socket

with socket.create_connection(('127.0.0.1', 9090)) as conn:
    conn.sendall('Wake up, Neo'.encode('utf-8'))
