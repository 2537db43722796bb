# expect: pass
# why: A class whose connect() reports refusal with False; the exchange or the exact refusal text is printed and the socket closed.
import socket


class NeoClient:
    def __init__(self, host, port):
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def connect(self):
        try:
            self.sock.connect(self.address)
        except ConnectionRefusedError:
            return False
        return True

    def talk(self, text):
        self.sock.sendall(text.encode('utf-8'))
        return self.sock.recv(1024).decode('utf-8')

    def close(self):
        self.sock.close()


client = NeoClient('127.0.0.1', 9090)
if client.connect():
    print(client.talk('Wake up, Neo'))
else:
    print('Connection refused')
client.close()
