# expect: pass
# why: An asyncio client: open_connection to 127.0.0.1:9090, nothing sent, the writer closed and waited for.
import asyncio


async def main():
    reader, writer = await asyncio.open_connection('127.0.0.1', 9090)
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
