"""The default transport (aiohttp under httpx) against raw HTTP servers on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from payroll_sdk import APIConnectionError, APITimeoutError, PayrollClient, ShardedTransport
from payroll_sdk._aiohttp import FastTransport

BODY = (Path(__file__).parent / "fixtures" / "income.json").read_bytes()
Handler = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """A loopback HTTP/1.1 server whose answers the test writes byte for byte."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.port = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                await self.handler(head, writer)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client went away, or the test ended while a handler was held
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[RawServer]]]:
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> RawServer:
        raw = RawServer(handler)
        server = await asyncio.start_server(raw._serve, "127.0.0.1", 0)
        raw.port = server.sockets[0].getsockname()[1]
        servers.append(server)
        return raw

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def _ok(extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        + extra
        + b"content-length: "
        + str(len(BODY)).encode()
        + b"\r\n\r\n"
        + BODY
    )


def _client(port: int, **kwargs: Any) -> PayrollClient:
    return PayrollClient(
        api_secret="sk_test_aiohttp_1", base_url=f"http://127.0.0.1:{port}/v1", **kwargs
    )


async def test_the_default_transport_is_aiohttp_sized_to_the_bound() -> None:
    async with PayrollClient(api_secret="sk_test_aiohttp_1", max_in_flight=7) as client:
        transport = client._transport.http_client._transport
        assert isinstance(transport, FastTransport)
        assert transport.limits.max_connections == 7


async def test_cookies_are_neither_kept_nor_sent(serve: Any) -> None:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(_ok(b"set-cookie: session=abc; Path=/\r\n"))
        await writer.drain()

    server = await serve(handler)
    for transport in (None, ShardedTransport.sized(4)):
        server.requests.clear()
        async with _client(server.port, transport=transport) as client:
            await client.income.get("acc_1")
            await client.income.get("acc_1")
            assert len(client._transport.http_client.cookies) == 0
        assert all(b"cookie:" not in head.lower() for head in server.requests)
        assert len(server.requests) == 2


async def test_a_dropped_connection_is_a_connection_error_not_a_timeout(serve: Any) -> None:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.close()  # read the request, answer nothing

    server = await serve(handler)
    async with _client(server.port, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.income.get("acc_1")
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert f"127.0.0.1:{server.port}" in str(info.value)


async def test_a_body_cut_short_is_retried_then_reported(serve: Any) -> None:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(_ok()[:-5])  # content-length promises 5 more bytes
        await writer.drain()
        writer.close()

    server = await serve(handler)
    async with _client(server.port, max_retries=1) as client:
        client._transport._sleep = _no_sleep
        with pytest.raises(APIConnectionError) as info:
            await client.income.get("acc_1")
    assert info.value.attempts == 2
    assert len(server.requests) == 2


async def test_the_deadline_ends_a_silent_server_and_frees_the_connection(serve: Any) -> None:
    hang = asyncio.Event()

    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        if b"acc_slow" in head:
            await hang.wait()
        writer.write(_ok())
        await writer.drain()

    server = await serve(handler)
    async with _client(server.port, max_in_flight=1, max_retries=0) as client:
        with pytest.raises(APITimeoutError):
            await client.with_options(deadline=0.2).income.get("acc_slow")
        transport = client._transport.http_client._transport
        assert isinstance(transport, FastTransport)
        assert transport.session is not None
        assert not transport.session.connector._acquired  # type: ignore[union-attr]
        assert client.requests_in_flight == 0
        # The single slot and the single connection are free again.
        income = await asyncio.wait_for(client.income.get("acc_1"), timeout=5)
        assert income.attempts == 1
    hang.set()


async def _no_sleep(seconds: float) -> None:
    return None
