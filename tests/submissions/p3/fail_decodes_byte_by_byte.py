# expect: fail
# why: Breaks "print the reply decoded": it decodes UTF-8 one byte at a time, and a character of the reply takes several bytes.
# fails: output/decoded_in_pieces
import socket

message = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(message.encode('utf-8'))
    data = client_socket.recv(1024)
    text = ''
    for byte in data:
        text += bytes([byte]).decode('utf-8')
    print(text)
