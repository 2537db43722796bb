# expect: pass
# why: create_connection in a with block, sendall of the UTF-8 line, decoded reply printed, closed on exit.
import socket

text = input()
with socket.create_connection(('127.0.0.1', 9090)) as conn:
    conn.sendall(text.encode('utf-8'))
    print(conn.recv(1024).decode('utf-8'))
