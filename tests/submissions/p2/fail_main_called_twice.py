# expect: fail
# why: Breaks "one connection": main() runs once at module level and again under __name__ == '__main__'.
# fails: connected/too_many_connections
import socket


def main():
    client_socket = socket.socket()
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
    client_socket.close()


main()

if __name__ == '__main__':
    main()
