# expect: fail
# why: Breaks "print the reply decoded": with the server up it prints the raw bytes b'...'.
# fails: output/printed_bytes
import socket

try:
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())
        reply = client_socket.recv(1024)
        print(reply)
except ConnectionRefusedError:
    print('Connection refused')
