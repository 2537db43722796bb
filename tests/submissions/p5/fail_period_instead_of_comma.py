# expect: fail
# why: Breaks the exact message rule: it sends 'Wake up. Neo' with a period instead of the comma.
# fails: sent/sent_constant
import socket

try:
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up. Neo'.encode())
        print(client_socket.recv(1024).decode())
except ConnectionRefusedError:
    print('Connection refused')
