# expect: pass
# why: Sends the exact message and closes; the extra status line it prints is not judged in problem 2.
import socket

HOST = '127.0.0.1'
PORT = 9090
MESSAGE = 'Wake up, Neo'


def main():
    client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client_socket.connect((HOST, PORT))
    data = MESSAGE.encode()
    client_socket.sendall(data)
    client_socket.close()
    print(f'Sent {len(data)} bytes to {HOST}:{PORT}')


if __name__ == '__main__':
    main()
