# expect: fail
# why: Breaks "print exactly Connection refused": print(e) shows '[Errno 111] Connection refused'.
# fails: output/refused_exception_text
import socket

try:
    with socket.socket() as s:
        s.connect(('127.0.0.1', 9090))
        s.sendall('Wake up, Neo'.encode())
        print(s.recv(1024).decode())
except ConnectionRefusedError as e:
    print(e)
