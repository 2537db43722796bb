import socket

with socket.create_connection(("127.0.0.1", 9090)) as sock:
    lines = sock.makefile("r", encoding="utf-8", newline="\n")
    code = lines.readline().split()[1]
    sock.sendall(f"HELLO {code}\n".encode())
    print(lines.readline().rstrip("\n"))
    while lines.readline():
        pass
    lines.close()
