# expect: pass
# why: Catching OSError, a parent of ConnectionRefusedError, around a create_connection with block is allowed.
import socket


def main():
    try:
        with socket.create_connection(('127.0.0.1', 9090)) as s:
            s.sendall(b'Wake up, Neo')
            print(s.recv(1024).decode('utf-8'))
    except OSError:
        print('Connection refused')


if __name__ == '__main__':
    main()
