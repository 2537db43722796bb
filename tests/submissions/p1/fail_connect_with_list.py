# expect: fail
# why: Breaks the address rule: connect() gets a list ['127.0.0.1', 9090] instead of a tuple, raising TypeError.
# fails: connected/address_not_tuple
import socket

client_socket = socket.socket()
client_socket.connect(['127.0.0.1', 9090])
client_socket.close()
