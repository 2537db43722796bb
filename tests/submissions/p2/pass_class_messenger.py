# expect: pass
# why: A class sends b'Wake up, Neo' to localhost:9090 over one connection and closes it in close().
import socket


class Messenger:
    def __init__(self, host='localhost', port=9090):
        self.sock = socket.socket()
        self.sock.connect((host, port))

    def say(self, text):
        self.sock.sendall(text.encode('utf-8'))

    def close(self):
        self.sock.close()


neo = Messenger()
neo.say('Wake up, Neo')
neo.close()
