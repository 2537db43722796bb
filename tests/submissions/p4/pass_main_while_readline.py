# expect: pass
# why: main() reads lines with sys.stdin.readline() minus the newline and loops n times in one with block.
import socket
import sys

HOST = '127.0.0.1'
PORT = 9090


def main():
    n = int(sys.stdin.readline())
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client_socket:
        client_socket.connect((HOST, PORT))
        i = 0
        while i < n:
            message = sys.stdin.readline().rstrip('\n')
            client_socket.send(message.encode())
            print(client_socket.recv(1024).decode())
            i += 1


if __name__ == '__main__':
    main()
