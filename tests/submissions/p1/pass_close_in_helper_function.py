# expect: pass
# why: The socket is made in one function and closed with close() in another.
import socket


def open_connection():
    s = socket.socket()
    s.connect(('127.0.0.1', 9090))
    return s


def hang_up(s):
    s.close()


hang_up(open_connection())
