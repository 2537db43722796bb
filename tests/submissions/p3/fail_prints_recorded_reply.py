# expect: fail
# why: Breaks "printing a constant never passes": it prints replies recorded from one earlier grading (seed 0), not the one it receives.
# fails: output/output_differs
import socket

RECORDED = {
    "Hello, server, it's me": 'Χαίρετε! Got 22 bytes, ticket №794772 ✓',
    'Привет, сервер! Ça va, Jürgen?': 'Olá! Got 44 bytes, ticket №596853 ✓',
    'Ping 🏓 from the client': 'Привет! Got 25 bytes, ticket №096033 ✓',
}

message = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(message.encode())
    client_socket.recv(1024)
    print(RECORDED[message])
