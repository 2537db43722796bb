# expect: fail
# why: Breaks the address rule: the port 9090.0 is a float, so connect() raises TypeError, as under python script.py.
# fails: connected/crashed_before_connect
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090.0))
client_socket.close()
