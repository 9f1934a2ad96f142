"""The default transport (aiohttp under httpx) against raw HTTP servers on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from payroll_sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    PayrollClient,
    ResponseValidationError,
    ShardedTransport,
)
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


def _assert_no_connection_or_slot_held(client: PayrollClient) -> None:
    """The direct path's aiohttp connector holds no connection and the client no slot."""
    transport = client._transport.http_client._transport
    assert isinstance(transport, FastTransport)
    assert transport.session is not None
    assert not transport.session.connector._acquired  # type: ignore[union-attr]
    assert client.requests_in_flight == 0


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
        # The single slot and the single connection are free again.
        _assert_no_connection_or_slot_held(client)
        income = await asyncio.wait_for(client.income.get("acc_1"), timeout=5)
        assert income.attempts == 1
    hang.set()


async def _no_sleep(seconds: float) -> None:
    return None


async def _no_hook(request: httpx.Request) -> None:
    return None


# -- the direct path: FastTransport.get, without httpx.Request/Response ---------------------


async def test_the_default_client_sends_directly_on_aiohttp(serve: Any, monkeypatch: Any) -> None:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(_ok())
        await writer.drain()

    server = await serve(handler)
    bridged: list[httpx.Request] = []
    bridge = FastTransport.handle_async_request

    async def counting(self: FastTransport, request: httpx.Request) -> httpx.Response:
        bridged.append(request)
        return await bridge(self, request)

    monkeypatch.setattr(FastTransport, "handle_async_request", counting)
    async with _client(server.port, default_headers={"user-agent": "mine/1"}) as client:
        income = await client.income.get("acc_1")
        assert income.data is not None
        assert bridged == []  # no httpx.Request was built or bridged
        # An event hook is httpx's business: with one, requests go through httpx again.
        seen: list[httpx.Request] = []

        async def hook(request: httpx.Request) -> None:
            seen.append(request)

        client._transport.http_client.event_hooks["request"].append(hook)
        await client.income.get("acc_1")
        assert len(bridged) == 1 and len(seen) == 1
    # Both paths put the same headers on the wire (names compared without case), one
    # User-Agent (the caller's replaced ours), and the secret.
    direct, via_httpx = ({_header_lines(h)} for h in server.requests)
    assert direct == via_httpx
    lines = _header_lines(server.requests[0])
    assert lines.count("user-agent: mine/1") == 1
    assert not any(line.startswith("user-agent: payroll-sdk") for line in lines)
    assert "x-api-secret: sk_test_aiohttp_1" in lines


def _header_lines(head: bytes) -> tuple[str, ...]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return tuple(sorted(line.lower() for line in lines if line and ":" in line))


async def test_a_user_http_client_is_used_through_send(serve: Any, monkeypatch: Any) -> None:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(_ok())
        await writer.drain()

    server = await serve(handler)
    direct_calls: list[str] = []
    direct = FastTransport.get

    async def counting(self: FastTransport, url: str, *args: Any) -> Any:
        direct_calls.append(url)
        return await direct(self, url, *args)

    monkeypatch.setattr(FastTransport, "get", counting)
    async with (
        httpx.AsyncClient(transport=FastTransport(max_connections=2)) as http_client,
        _client(server.port, http_client=http_client) as client,
    ):
        await client.income.get("acc_1")
    assert direct_calls == []
    assert len(server.requests) == 1


async def test_direct_errors_carry_a_redacted_httpx_response(serve: Any) -> None:
    error = b'{"error": {"type": "server_error", "message": "boom"}}'
    bad = b'{"data": '

    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        body = error if b"acc_500" in head else bad
        status = b"500 Internal Server Error" if b"acc_500" in head else b"200 OK"
        writer.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
            b"x-request-id: req_direct_7\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        await writer.drain()

    server = await serve(handler)
    async with _client(server.port, max_retries=0) as client:
        with pytest.raises(APIStatusError) as status_info:
            await client.income.get("acc_500")
        with pytest.raises(ResponseValidationError) as parse_info:
            await client.income.get("acc_bad")
    response = status_info.value.response
    assert isinstance(response, httpx.Response)
    assert response.status_code == 500 and response.content == error
    assert response.request.headers["X-API-SECRET"] == "[REDACTED]"
    assert "sk_test_aiohttp_1" not in repr(response.request.headers)
    assert status_info.value.request_id == "req_direct_7"
    assert parse_info.value.request_id == "req_direct_7"
    assert parse_info.value.status_code == 200
    assert parse_info.value.body_excerpt == bad.decode()


@pytest.mark.parametrize("through_httpx", [False, True], ids=["direct", "through-httpx"])
async def test_an_unparsable_response_is_a_connection_error_without_the_secret(
    serve: Any, through_httpx: bool
) -> None:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 2x0 NOPE\r\n\r\n")  # aiohttp: ClientResponseError
        await writer.drain()
        writer.close()

    server = await serve(handler)
    async with _client(server.port, max_retries=0) as client:
        if through_httpx:  # an event hook sends requests through httpx and httpx-aiohttp
            client._transport.http_client.event_hooks["request"].append(_no_hook)
        with pytest.raises(APIConnectionError) as info:
            await client.income.get("acc_1")
    chain: list[BaseException] = []
    current: BaseException | None = info.value
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for exc in chain:
        assert "sk_test_aiohttp_1" not in repr(exc) + str(exc) + repr(vars(exc))


async def test_a_direct_request_cancelled_mid_body_frees_its_connection(serve: Any) -> None:
    started = asyncio.Event()

    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        if b"acc_slow" in head:
            writer.write(_ok()[:-20])  # most of the body, then nothing
            await writer.drain()
            started.set()
            await asyncio.sleep(30)
        writer.write(_ok())
        await writer.drain()

    server = await serve(handler)
    async with _client(server.port, max_in_flight=1) as client:
        task = asyncio.create_task(client.income.get("acc_slow"))
        await asyncio.wait_for(started.wait(), timeout=5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        _assert_no_connection_or_slot_held(client)
        income = await asyncio.wait_for(client.income.get("acc_1"), timeout=5)
        assert income.attempts == 1
