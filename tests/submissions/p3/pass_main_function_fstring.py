# expect: pass
# why: main() does the send/recv/close correctly and prints the decoded reply through an f-string with nothing added.
import socket


def ask(question):
    client_socket = socket.socket()
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(question.encode())
    answer = client_socket.recv(1024).decode()
    client_socket.close()
    return answer


def main():
    question = input()
    answer = ask(question)
    print(f'{answer}')


if __name__ == '__main__':
    main()
