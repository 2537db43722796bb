# expect: fail
# why: Breaks "close the connection": shutdown(SHUT_WR) sends a FIN, but the socket stays open until the interpreter exits.
# fails: closed/shutdown_not_close
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.shutdown(socket.SHUT_WR)
