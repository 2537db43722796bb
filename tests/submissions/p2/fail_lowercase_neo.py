# expect: fail
# why: Breaks the exact message rule: sends 'Wake up, neo' with a lowercase n.
# fails: sent/sent_case
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, neo'.encode())
client_socket.close()
