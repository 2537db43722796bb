# expect: pass
# why: A main() with HOST/PORT constants connects to 127.0.0.1:9090 and closes the socket before returning.
import socket

HOST = '127.0.0.1'
PORT = 9090


def main():
    client_socket = socket.socket()
    client_socket.connect((HOST, PORT))
    client_socket.close()


if __name__ == '__main__':
    main()
