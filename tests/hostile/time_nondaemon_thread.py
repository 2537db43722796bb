# hostile: does problem 2 right, but leaves a non-daemon thread sleeping, so the interpreter never exits
import socket
import threading
import time

threading.Thread(target=time.sleep, args=(60,)).start()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
