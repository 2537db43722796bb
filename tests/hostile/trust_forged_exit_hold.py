# hostile: writes the exit-hold messages of an older sandbox ("about to exit") while its socket is still open, then keeps it open to the end; does problem 1's connection otherwise
import os
import socket

client_socket = socket.socket()
client_socket.connect(("127.0.0.1", 9090))
os.write(3, b"E\tok\t\t")
os.write(3, b"Z")
os.write(3, b"L")
kept = client_socket  # still open when the process exits
