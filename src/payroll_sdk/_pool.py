"""A connection pool made of several small httpcore pools behind one ``httpx.AsyncClient``.

httpcore's pool does work proportional to its number of connections on every request it
assigns (and polls every idle socket while doing so), so a single pool of 100 connections
spends most of a busy client's CPU on bookkeeping. The same 100 connections split into ten
pools of ten keep each pass short. Requests go to the shard with the fewest requests in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx

__all__ = ["ShardedTransport"]


class _TrackedStream(httpx.AsyncByteStream):
    """A response stream that tells its shard when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close: Any) -> None:
        self._stream = stream
        self._on_close = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            await _close_despite_cancellation(self._stream)
        finally:
            if on_close is not None:
                on_close()


async def _close_despite_cancellation(stream: httpx.AsyncByteStream) -> None:
    """Close ``stream`` to the end even if the caller is cancelled meanwhile, then let the
    cancellation go on.

    httpcore hands a connection back to its pool in several steps with awaits between them
    (its anyio lock yields even when free). Its own shield is anyio's, which a plain asyncio
    cancellation (``asyncio.timeout`` ending a deadline, ``wait_for``, ``task.cancel()``) does
    not respect: one landing mid-close left the connection ``ACTIVE`` and its pool request
    registered for good, so the shard lost a connection for ever. The close therefore runs
    in a task of its own that the caller's cancellation cannot interrupt.
    """
    closing = asyncio.ensure_future(stream.aclose())
    try:
        await asyncio.shield(closing)
    except asyncio.CancelledError:
        # Closing a response is short (no network wait): finish it, however many times we
        # are cancelled meanwhile, then raise the cancellation we were given.
        while not closing.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait((closing,))
        if not closing.cancelled():
            closing.exception()  # retrieved: the cancellation is what the caller must see
        raise


class ShardedTransport(httpx.AsyncBaseTransport):
    """``shards`` independent ``httpx.AsyncHTTPTransport`` pools of ``connections`` each.

    Extra keyword arguments (``verify``, ``http2``, ``retries``...) go to every shard.
    """

    def __init__(self, *, shards: int, connections: int, **transport_kwargs: Any) -> None:
        if shards < 1 or connections < 1:
            raise ValueError("shards and connections must be >= 1")
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        verify = transport_kwargs.get("verify", True)
        if not isinstance(verify, ssl.SSLContext):
            # One SSL context for every shard: building one loads the CA bundle (~25 ms), and
            # each shard would otherwise build its own, making a client slow to construct.
            transport_kwargs["verify"] = httpx.create_ssl_context(
                verify=verify,
                cert=transport_kwargs.pop("cert", None),
                trust_env=transport_kwargs.get("trust_env", True),
            )
        self._shards = [
            httpx.AsyncHTTPTransport(limits=limits, **transport_kwargs) for _ in range(shards)
        ]
        self._in_flight = [0] * shards
        self.connections_per_shard = connections

    @property
    def shards(self) -> list[httpx.AsyncHTTPTransport]:
        return list(self._shards)

    @property
    def in_flight(self) -> int:
        """Responses handed out and not yet closed, across shards."""
        return sum(self._in_flight)

    def _release(self, index: int) -> None:
        self._in_flight[index] -= 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            self._in_flight[index] -= 1
            raise
        if response.is_closed:
            # Read in full and closed already (a mocked shard does this): nothing would ever
            # close the stream again, so the shard is free now.
            self._release(index)
            return response
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _TrackedStream(response.stream, lambda: self._release(index))
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()
