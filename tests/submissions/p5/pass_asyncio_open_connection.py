# expect: pass
# why: An asyncio client that catches ConnectionRefusedError from open_connection and prints 'Connection refused'.
import asyncio


async def main():
    try:
        reader, writer = await asyncio.open_connection('127.0.0.1', 9090)
    except ConnectionRefusedError:
        print('Connection refused')
        return
    writer.write('Wake up, Neo'.encode())
    await writer.drain()
    print((await reader.read(1024)).decode())
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
