# expect: pass
# why: shutdown(SHUT_RDWR) followed by close() is an orderly close of the single connection, nothing sent.
import socket

s = socket.socket()
s.connect(('127.0.0.1', 9090))
s.shutdown(socket.SHUT_RDWR)
s.close()
