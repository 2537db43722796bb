# expect: pass
# why: asyncio's socket API (sock_connect, sock_sendall, sock_recv) on a socket opened by `with socket.socket() as client_socket:`.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    n = int(input())
    with socket.socket() as client_socket:
        client_socket.setblocking(False)
        await loop.sock_connect(client_socket, ('127.0.0.1', 9090))
        for _ in range(n):
            await loop.sock_sendall(client_socket, input().encode())
            reply = await loop.sock_recv(client_socket, 1024)
            print(reply.decode())


asyncio.run(main())
