# expect: pass
# why: The exchange runs in a non-daemon thread the main body never joins; the interpreter waits for it, and the socket is closed by its with block before the program exits.
import socket
import threading


def wake_neo():
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send('Wake up, Neo'.encode())


threading.Thread(target=wake_neo).start()
