# expect: pass
# why: A small class connects to localhost:9090 and its close() method closes the socket; nothing is sent.
import socket


class Client:
    def __init__(self, host, port):
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def knock(self):
        self.sock.connect(self.address)

    def close(self):
        self.sock.close()


client = Client('localhost', 9090)
client.knock()
client.close()
