# expect: fail
# why: Breaks "end within the time limit": it sleeps six seconds after sending "to let the server read it", with no recv() anywhere.
# fails: closed/open_at_timeout
import socket
import time

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(b'Wake up, Neo')
time.sleep(6)
client_socket.close()
