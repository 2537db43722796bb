# expect: fail
# why: One recv(1024) is taken for the whole response; the body is longer.
# fails: output/stopped_reading
import socket

path = input()
client_socket = socket.socket()
client_socket.connect(("127.0.0.1", 9090))
client_socket.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
response = client_socket.recv(1024)
client_socket.close()
print(response.split(b"\r\n\r\n", 1)[1].decode())
