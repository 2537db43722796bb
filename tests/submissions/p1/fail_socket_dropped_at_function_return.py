# expect: fail
# why: Breaks "close the connection": the socket is only garbage-collected when knock() returns, never closed by the script.
# fails: closed/never_closed
import socket


def knock():
    s = socket.socket()
    s.connect(('127.0.0.1', 9090))
    print('Connected to the server')


knock()
