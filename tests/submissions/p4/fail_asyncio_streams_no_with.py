# expect: fail
# why: Breaks "the with block closes the connection": an asyncio stream client, closed by writer.close(), has no with block.
# fails: closed/not_with
import asyncio


async def main():
    n = int(input())
    reader, writer = await asyncio.open_connection('127.0.0.1', 9090)
    for _ in range(n):
        writer.write(input().encode())
        await writer.drain()
        print((await reader.read(1024)).decode())
    writer.close()
    await writer.wait_closed()


asyncio.run(main())
