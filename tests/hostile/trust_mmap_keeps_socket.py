# hostile: problem 1, shuts its socket down (the server sees FIN), keeps the socket alive through a memory mapping of it, then calls close(): the socket is still open when the program ends
import mmap
import socket

client_socket = socket.socket()
client_socket.connect(("127.0.0.1", 9090))
client_socket.shutdown(socket.SHUT_WR)
keep = mmap.mmap(client_socket.fileno(), 4096, mmap.MAP_SHARED, mmap.PROT_READ)
client_socket.close()
