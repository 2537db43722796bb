# expect: pass
# why: An asyncio client: the message written and drained, then the writer closed and waited for.
import asyncio


async def main():
    reader, writer = await asyncio.open_connection('127.0.0.1', 9090)
    writer.write('Wake up, Neo'.encode())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
