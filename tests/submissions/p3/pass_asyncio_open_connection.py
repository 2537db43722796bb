# expect: pass
# why: An asyncio client: the line sent encoded, the reply read and printed decoded, the writer closed.
import asyncio


async def main():
    message = input()
    reader, writer = await asyncio.open_connection('127.0.0.1', 9090)
    writer.write(message.encode())
    await writer.drain()
    reply = await reader.read(1024)
    print(reply.decode())
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
