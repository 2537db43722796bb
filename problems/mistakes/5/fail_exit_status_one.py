# expect: fail
# why: Breaks "end normally": on refusal it prints the right text but exits with sys.exit(1).
# fails: clean_end/exit_status
import socket
import sys

client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
except ConnectionRefusedError:
    print('Connection refused')
    client_socket.close()
    sys.exit(1)
client_socket.send('Wake up, Neo'.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
