import socket

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(("127.0.0.1", 9090))
client_socket.send("HELLO\n".encode())
buffer = b""
while True:
    while b"\n" not in buffer:
        buffer += client_socket.recv(1024)
    line, buffer = buffer.split(b"\n", 1)
    words = line.decode().split()
    if words[0] == "SUM":
        client_socket.send((str(int(words[1]) + int(words[2])) + "\n").encode())
    else:
        print(line.decode())
        break
client_socket.close()
