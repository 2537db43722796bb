# expect: fail
# why: Breaks the exact message rule: the message is sent twice, so the server gets b'Wake up, NeoWake up, Neo'.
# fails: sent/sent_twice
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
message = 'Wake up, Neo'.encode()
client_socket.send(message)
print('Sending again to be sure...')
client_socket.send(message)
client_socket.close()
