# expect: fail
# why: Breaks "no traceback on refusal": only socket.timeout is caught, so ConnectionRefusedError goes unhandled.
# fails: output/refused_unhandled
import socket

try:
    with socket.socket() as client_socket:
        client_socket.settimeout(30)  # a bound far past a slow reply: only refusal is at issue
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())
        print(client_socket.recv(1024).decode())
except socket.timeout:
    print('Connection refused')
