# expect: pass
# why: Sends the message in two pieces whose joined bytes are exact; a None return value means the connection was refused.
import socket


def ask(message):
    client_socket = socket.socket()
    try:
        client_socket.connect(('127.0.0.1', 9090))
    except ConnectionRefusedError:
        client_socket.close()
        return None
    client_socket.send(message[:8])
    client_socket.send(message[8:])
    reply = client_socket.recv(1024)
    client_socket.close()
    return reply.decode()


reply = ask(b'Wake up, Neo')
if reply is None:
    print('Connection refused')
else:
    print(reply)
