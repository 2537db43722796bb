import socket

path = input()
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(("127.0.0.1", 9090))
request = f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
client_socket.sendall(request.encode())
response = b""
while True:
    chunk = client_socket.recv(1024)
    if not chunk:
        break
    response += chunk
client_socket.close()
head, body = response.split(b"\r\n\r\n", 1)
print(body.decode(), end="")
