"""ShardedTransport: requests go to the least-loaded shard, and the bookkeeping always unwinds.

respx patches httpcore, underneath the shards, so these tests replace each shard's
``handle_async_request`` with a stub instead, to see which shard a request went to.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx

from payroll_sdk import PayrollClient, ShardedTransport
from payroll_sdk._config import DEFAULT_CONNECTIONS_PER_SHARD

Handler = Callable[[int, httpx.Request], Awaitable[httpx.Response]]


def _stub_shards(
    monkeypatch: pytest.MonkeyPatch, transport: ShardedTransport, handler: Handler
) -> None:
    for index, shard in enumerate(transport.shards):

        async def handle(request: httpx.Request, index: int = index) -> httpx.Response:
            return await handler(index, request)

        monkeypatch.setattr(shard, "handle_async_request", handle)


class Gate:
    """Holds each request until released, and remembers which shard served it."""

    def __init__(self) -> None:
        self.arrived: list[int] = []
        self.events: list[asyncio.Event] = []
        self._arrival = asyncio.Event()

    async def handler(self, index: int, request: httpx.Request) -> httpx.Response:
        event = asyncio.Event()
        self.arrived.append(index)
        self.events.append(event)
        self._arrival.set()
        await event.wait()
        return httpx.Response(200, stream=httpx.ByteStream(b'{"ok": true}'))

    async def wait_for(self, count: int) -> None:
        while len(self.arrived) < count:
            self._arrival.clear()
            await self._arrival.wait()


async def test_requests_go_to_the_least_loaded_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    transport = ShardedTransport(shards=3, connections=2)
    gate = Gate()
    _stub_shards(monkeypatch, transport, gate.handler)
    async with httpx.AsyncClient(transport=transport) as client:
        tasks = []
        for expected in (1, 2, 3, 4):
            tasks.append(asyncio.create_task(client.get("http://pool.test/")))
            await gate.wait_for(expected)
        # One each, then the tie goes to the first shard.
        assert gate.arrived == [0, 1, 2, 0]
        assert transport.in_flight == 4

        # Freeing shard 1 makes it the least loaded.
        gate.events[1].set()
        await tasks[1]
        assert transport.in_flight == 3
        tasks.append(asyncio.create_task(client.get("http://pool.test/")))
        await gate.wait_for(5)
        assert gate.arrived[4] == 1

        for event in gate.events:
            event.set()
        responses = await asyncio.gather(*tasks)
    assert all(response.json() == {"ok": True} for response in responses)
    assert transport.in_flight == 0


async def test_in_flight_unwinds_after_exceptions(monkeypatch: pytest.MonkeyPatch) -> None:
    transport = ShardedTransport(shards=2, connections=1)

    async def refuse(index: int, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    _stub_shards(monkeypatch, transport, refuse)
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await client.get("http://pool.test/")
    assert transport.in_flight == 0


async def test_in_flight_unwinds_after_cancellation(monkeypatch: pytest.MonkeyPatch) -> None:
    transport = ShardedTransport(shards=2, connections=1)
    gate = Gate()
    _stub_shards(monkeypatch, transport, gate.handler)
    async with httpx.AsyncClient(transport=transport) as client:
        task = asyncio.create_task(client.get("http://pool.test/"))
        await gate.wait_for(1)
        assert transport.in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert transport.in_flight == 0


async def test_a_streamed_response_holds_its_shard_until_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = ShardedTransport(shards=2, connections=1)

    async def stream(index: int, request: httpx.Request) -> httpx.Response:
        # Unread, as the real shards answer: the body arrives as the caller reads it.
        return httpx.Response(200, stream=httpx.ByteStream(b"a" * 10_000))

    _stub_shards(monkeypatch, transport, stream)
    async with httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", "http://pool.test/") as response:
            assert transport.in_flight == 1
            second = await client.get("http://pool.test/")  # goes to the idle shard
            assert second.status_code == 200
            assert transport.in_flight == 1
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
        assert len(body) == 10_000
        assert transport.in_flight == 0

        # A body that fails while being read still releases its shard.
        async def broken(index: int, request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"nope")
            )

        _stub_shards(monkeypatch, transport, broken)
        with pytest.raises(httpx.DecodingError):
            await client.get("http://pool.test/")
    assert transport.in_flight == 0


async def test_a_response_read_in_full_by_the_shard_does_not_hold_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A shard replaced by a mock (respx using="httpx", a test double) may hand back a response
    # whose body is already read and closed; nothing will close it again.
    transport = ShardedTransport(shards=2, connections=1)

    async def eager(index: int, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"done")

    _stub_shards(monkeypatch, transport, eager)
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(3):
            assert (await client.get("http://pool.test/")).content == b"done"
    assert transport.in_flight == 0


async def test_closing_closes_every_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    transport = ShardedTransport(shards=3, connections=1)
    closed: list[int] = []
    for index, shard in enumerate(transport.shards):

        async def aclose(index: int = index) -> None:
            closed.append(index)

        monkeypatch.setattr(shard, "aclose", aclose)
    await transport.aclose()
    assert closed == [0, 1, 2]


def test_shards_share_one_ssl_context() -> None:
    transport = ShardedTransport(shards=4, connections=2)
    contexts = {id(shard._pool._ssl_context) for shard in transport.shards}
    assert len(contexts) == 1
    assert transport.connections_per_shard == 2
    assert all(shard._pool._max_connections == 2 for shard in transport.shards)


def test_transport_options_reach_every_shard() -> None:
    unverified = ShardedTransport(shards=2, connections=1, verify=False)
    assert all(shard._pool._ssl_context.verify_mode == ssl.CERT_NONE for shard in unverified.shards)
    mine = ssl.create_default_context()
    given = ShardedTransport(shards=2, connections=1, verify=mine)
    assert all(shard._pool._ssl_context is mine for shard in given.shards)


@pytest.mark.parametrize(("shards", "connections"), [(0, 1), (1, 0)])
def test_bad_sizes_are_refused(shards: int, connections: int) -> None:
    with pytest.raises(ValueError):
        ShardedTransport(shards=shards, connections=connections)


@pytest.mark.parametrize("max_in_flight", [100, 25, 3, 10, 1])
def test_sized_shards_hold_max_in_flight(max_in_flight: int) -> None:
    # Shards of at most DEFAULT_CONNECTIONS_PER_SHARD, as few as fit, sized evenly.
    shards = -(-max_in_flight // DEFAULT_CONNECTIONS_PER_SHARD)
    per_shard = -(-max_in_flight // shards)
    assert per_shard <= DEFAULT_CONNECTIONS_PER_SHARD
    transport = ShardedTransport.sized(max_in_flight)
    assert len(transport.shards) == shards
    assert transport.connections_per_shard == per_shard
    assert shards * per_shard >= max_in_flight


async def test_a_client_request_flows_through_the_shards(secret: str, base_url: str) -> None:
    # respx's httpcore mocker: the request goes through the shards' pools and is answered there.
    with respx.mock(base_url=base_url, using="httpcore") as router:
        router.get("/accounts/acc_1/income").respond(200, json={"data": {}})
        async with PayrollClient(
            api_secret=secret, base_url=base_url, transport=ShardedTransport.sized(100)
        ) as client:
            transport = client._transport.http_client._transport
            assert isinstance(transport, ShardedTransport)
            with pytest.raises(Exception):  # noqa: B017 - the body is not an Income: that is fine
                await client.income.get("acc_1")
            assert transport.in_flight == 0
        assert router.calls.call_count == 1
