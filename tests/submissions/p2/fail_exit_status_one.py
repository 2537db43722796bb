# expect: fail
# why: Breaks "exit status 0": the exchange and the close are right, then sys.exit(1) ends it with status 1.
# fails: clean_end/exit_status
import socket
import sys

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
sys.exit(1)
