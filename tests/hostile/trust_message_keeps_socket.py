# hostile: problem 1, shuts its socket down (the server sees FIN), parks its descriptor in a Unix socket message nobody receives, then calls close(): the socket is still open when the program ends
import socket

client_socket = socket.socket()
client_socket.connect(("127.0.0.1", 9090))
client_socket.shutdown(socket.SHUT_WR)
parked, other = socket.socketpair()
parked.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, client_socket.fileno().to_bytes(4, "little"))])
client_socket.close()
