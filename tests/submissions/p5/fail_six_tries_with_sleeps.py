# expect: fail
# why: Breaks "end normally within the time limit": six tries a second apart take longer than the time limit while nothing listens, so "Connection refused" is never printed.
# fails: output/printed_before_timeout
import socket
import time

client_socket = None
for attempt in range(6):
    try:
        client_socket = socket.create_connection(('127.0.0.1', 9090))
        break
    except ConnectionRefusedError:
        time.sleep(1)

if client_socket is None:
    print('Connection refused')
else:
    client_socket.sendall(b'Wake up, Neo')
    print(client_socket.recv(1024).decode())
    client_socket.close()
