# expect: pass
# why: socket.create_connection opens one connection to 127.0.0.1:9090 and close() ends it without sending.
import socket

conn = socket.create_connection(('127.0.0.1', 9090))
conn.close()
