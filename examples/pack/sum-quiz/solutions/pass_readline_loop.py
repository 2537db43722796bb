import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    lines = sock.makefile("r", encoding="utf-8", newline="\n")
    sock.sendall(b"HELLO\n")
    while True:
        line = lines.readline().rstrip("\n")
        if line.startswith("SUM "):
            _, a, b = line.split()
            sock.sendall(f"{int(a) + int(b)}\n".encode())
        else:
            print(line)
            break
    lines.close()
