# expect: fail
# why: Breaks "if the connection is refused, print Connection refused and end": it retries for ever while nothing listens, so it is stopped at the time limit having printed nothing.
# fails: output/printed_before_timeout
import socket
import time

while True:
    try:
        client_socket = socket.socket()
        client_socket.connect(('127.0.0.1', 9090))
        break
    except ConnectionRefusedError:
        client_socket.close()
        time.sleep(0.5)

client_socket.send('Wake up, Neo'.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
