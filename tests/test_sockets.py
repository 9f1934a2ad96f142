"""No socket of the client outlives ``aclose()``, on either transport, however requests end.

The server here answers each request and hangs up a moment later, so every connection left
idle in the pool has expired by the next request: the pool then closes them all, one after
another, while that request waits. Cancelling the request after 0, 1, 2 ... loop steps lands
in the middle of that close at some step. httpcore's pool had already taken the connections
out of its list, so the ones not closed yet were lost to it: no later request, no expiry and
no ``aclose()`` would ever close them, and each kept its socket until the garbage collector
found it (disabled here, so the count does not depend on when it runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from payroll_sdk._aiohttp import FastTransport
from payroll_sdk._pool import ShardedTransport

CONNECTIONS = 4
STEPS = 12

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/net/tcp"), reason="counts sockets in /proc"
)


def sockets_to(port: int) -> int:
    """How many sockets this process has open to ``127.0.0.1:port`` (its client sockets)."""
    inodes = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if int(fields[2].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}") in inodes
    return count


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


async def _answer_then_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = b'{"data": {}}'
    with contextlib.suppress(Exception):
        await reader.readuntil(b"\r\n\r\n")
        # Keep-alive as far as the client can tell: no "Connection: close".
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        await asyncio.sleep(0.005)  # after the client has put the connection back in its pool
    writer.close()


@pytest.fixture
async def port() -> AsyncIterator[int]:
    server = await asyncio.start_server(_answer_then_hang_up, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("kind", ["aiohttp", "httpcore"])
@pytest.mark.usefixtures("no_gc")
async def test_no_socket_outlives_aclose_when_requests_are_cancelled(port: int, kind: str) -> None:
    transport: httpx.AsyncBaseTransport = (
        ShardedTransport(shards=1, connections=CONNECTIONS)
        if kind == "httpcore"
        else FastTransport(max_connections=CONNECTIONS)
    )
    async with httpx.AsyncClient(transport=transport) as client:
        most = await _cancel_after_each_step(client, port)
    await asyncio.sleep(0.01)  # a closed transport lets go of its socket on the next loop pass
    assert most > 0  # the count sees the client's connections
    assert sockets_to(port) == 0


async def _cancel_after_each_step(client: httpx.AsyncClient, port: int) -> int:
    """Cancel a request after 0, 1, 2 ... loop steps; the most sockets seen open."""
    url = f"http://127.0.0.1:{port}/"
    most = 0
    for steps in range(STEPS):
        # Fill the pool; a reused connection the server already left fails, which is fine.
        await asyncio.gather(*(client.get(url) for _ in range(CONNECTIONS)), return_exceptions=True)
        most = max(most, sockets_to(port))
        await asyncio.sleep(0.02)  # the server has hung up on every idle connection
        request = asyncio.create_task(client.get(url))
        for _ in range(steps):
            await asyncio.sleep(0)
        request.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await request
    return most
