# expect: fail
# why: Breaks "a UTF-8 Python script": saved as latin-1, so the accented letter is not UTF-8.
# fails: source/not_utf8
import socket

message = 'Réveille-toi, Neo'
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(b'Wake up, Neo')
