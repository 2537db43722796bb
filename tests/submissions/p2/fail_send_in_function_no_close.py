# expect: fail
# why: Breaks "close the connection": wake_up() never closes the socket, it is only garbage-collected at return.
# fails: closed/never_closed
import socket


def wake_up(host, port):
    sock = socket.socket()
    sock.connect((host, port))
    sock.sendall('Wake up, Neo'.encode())


wake_up('127.0.0.1', 9090)
