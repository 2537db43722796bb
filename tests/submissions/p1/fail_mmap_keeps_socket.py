# expect: fail
# why: Breaks "the script closes the connection": after shutdown() a memory mapping of the socket (and the descriptor it keeps) holds it open, so close() does not close it.
# fails: closed/shutdown_not_close
import mmap
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.shutdown(socket.SHUT_WR)
keep = mmap.mmap(client_socket.fileno(), 4096, mmap.MAP_SHARED, mmap.PROT_READ)
client_socket.close()
