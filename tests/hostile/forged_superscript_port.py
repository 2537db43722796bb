# hostile: a correct problem 2 script that also writes a close report whose port is '²' ("²".isdigit() is true, int() fails) to the control channel (fd 3)
# fails: untampered/tampered
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
os.write(3, 'C\t²\tclose'.encode())
client_socket.close()
