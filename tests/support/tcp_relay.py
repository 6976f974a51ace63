"""A TCP relay between a Redis replica and its primary, as a process a test can freeze (SIGSTOP):
writes the primary takes meanwhile do not reach the replica, as over a slow link.

Run: `python -m tests.support.tcp_relay LISTEN_PORT TARGET_PORT`.
"""

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def _serve(listen_port: int, target_port: int) -> None:
    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        target_reader, target_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            _pipe(client_reader, target_writer), _pipe(target_reader, client_writer), return_exceptions=True
        )

    server = await asyncio.start_server(relay, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), int(sys.argv[2])))
