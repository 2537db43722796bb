# expect: fail
# why: Breaks the output rule: prints 'Server replied:' before the reply.
# fails: output/extra_output
import socket

HOST, PORT = '127.0.0.1', 9090

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(input().encode('utf-8'))
    reply = s.recv(1024).decode('utf-8')
    print('Server replied:', reply)
