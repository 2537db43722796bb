import socket

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(("127.0.0.1", 9090))
data = b""
while b"\n" not in data:
    data += client_socket.recv(1024)
greeting, data = data.split(b"\n", 1)
code = greeting.decode().split()[1]
client_socket.sendall(("HELLO " + code + "\n").encode())
while True:
    chunk = client_socket.recv(1024)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
client_socket.close()
