"""A connection pool made of several small httpcore pools behind one ``httpx.AsyncClient``.

The httpcore path (``PayrollClient(transport=ShardedTransport.sized(max_in_flight))``); the
default is aiohttp's (``_aiohttp.py``).

httpcore's pool does work proportional to its number of connections on every request it
assigns (and polls every idle socket while doing so), so a single pool of 100 connections
spends most of a busy client's CPU on bookkeeping. The same 100 connections split into ten
pools of ten keep each pass short. Requests go to the shard with the fewest requests in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx

__all__ = ["ShardedTransport"]


class _TrackedStream(httpx.AsyncByteStream):
    """A response stream that tells its shard when it is closed."""

    def __init__(
        self,
        stream: httpx.AsyncByteStream,
        on_close: Callable[[], None] | None,
        shard: httpx.AsyncHTTPTransport | None = None,
        opened: set[Any] | None = None,
    ) -> None:
        self._stream = stream
        self._on_close = on_close
        self._shard = shard
        self._opened: set[Any] = set() if opened is None else opened

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
        # A response cut short (a dropped connection, a deadline mid-body) can leave its
        # connection orphaned; the check is a scan of a few connections, the fix rare.
        if self._shard is not None and _orphans(self._shard, self._opened):
            await _run_despite_cancellation(_drop_orphans(self._shard, self._opened))


async def _close_despite_cancellation(stream: httpx.AsyncByteStream) -> None:
    """Close ``stream`` to the end even if the caller is cancelled meanwhile.

    httpcore hands a connection back to its pool in several steps with awaits between them
    (its anyio lock yields even when free). Its own shield is anyio's, which a plain asyncio
    cancellation (``asyncio.timeout`` ending a deadline, ``wait_for``, ``task.cancel()``) does
    not respect: one landing mid-close left the connection ``ACTIVE`` and its pool request
    registered for good, so the shard lost a connection for ever.
    """
    await _run_despite_cancellation(stream.aclose())


async def _run_despite_cancellation(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to the end in a task the caller's cancellation cannot interrupt, then let
    the cancellation (if any) go on. Only for short bookkeeping: no network wait."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        # Finish, however many times we are cancelled meanwhile, then raise the
        # cancellation we were given.
        while not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait((task,))
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation is what the caller must see
        raise


def _track_opened(shard: httpx.AsyncHTTPTransport) -> set[Any]:
    """The set every connection ``shard``'s pool opens from now on is added to (until it is
    seen closed), so that :func:`_orphans` can find those the pool let go of unclosed.

    Wraps the pool's ``create_connection``; if there is none (another httpcore), the set stays
    empty.
    """
    opened: set[Any] = set()
    pool = getattr(shard, "_pool", None)
    create = getattr(pool, "create_connection", None)
    if pool is None or create is None:
        return opened

    def create_tracked(origin: Any) -> Any:
        connection = create(origin)
        opened.add(connection)
        return connection

    pool.create_connection = create_tracked
    return opened


def _orphans(shard: httpx.AsyncHTTPTransport, opened: set[Any]) -> list[Any]:
    """The connections of ``shard``'s pool that no request can ever use again, and those of
    ``opened`` the pool let go of without closing them (``opened`` forgets the closed ones).

    A cancellation that lands inside httpcore between opening a connection and sending on it
    (while it takes the connection's state lock, which yields even when free), or while a
    response body is being read, can leave a connection that no request holds and that is
    neither idle, available nor closed: the pool never hands it out, never expires it and never
    closes it, yet counts it against its limit. Enough of them and the shard stalls.

    The pool closes the connections it removes (expired keep-alive ones: the server hung up)
    one after another, after the request's own cancellation point and under an anyio shield
    that a plain asyncio cancellation goes through: one landing there leaves the rest out of
    the pool and unclosed, each holding its socket until the garbage collector finds it (with
    a ``ResourceWarning``), and ``aclose()`` does not see them.

    Reaches into httpcore's pool (``_pool``, ``_connections``, ``_requests``); if those are
    not there (another httpcore), it finds nothing.
    """
    pool = getattr(shard, "_pool", None)
    connections = getattr(pool, "_connections", None)
    requests = getattr(pool, "_requests", None)
    if not isinstance(connections, list) or not isinstance(requests, list):
        return []
    held = {id(getattr(r, "connection", None)) for r in requests}
    orphans = [
        c
        for c in connections
        if id(c) not in held and not (c.is_idle() or c.is_available() or c.is_closed())
    ]
    opened.difference_update([c for c in opened if c.is_closed()])
    listed = {id(c) for c in connections}
    return orphans + [c for c in opened if id(c) not in listed]


async def _drop_orphans(shard: httpx.AsyncHTTPTransport, opened: set[Any]) -> None:
    """Remove from ``shard``'s pool, and close, the connections :func:`_orphans` finds."""
    orphans = _orphans(shard, opened)
    if not orphans:
        return
    connections: list[Any] = shard._pool._connections  # checked by _orphans
    for connection in orphans:
        if connection in connections:
            connections.remove(connection)
    for connection in orphans:
        opened.discard(connection)
        with contextlib.suppress(Exception):
            await connection.aclose()


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
        self._opened = [_track_opened(shard) for shard in self._shards]
        self.connections_per_shard = connections

    @classmethod
    def sized(cls, max_in_flight: int, **transport_kwargs: Any) -> ShardedTransport:
        """Shards of at most ``DEFAULT_CONNECTIONS_PER_SHARD`` connections, as few as hold
        ``max_in_flight`` (pass the client's ``max_in_flight``), sized evenly."""
        from ._config import DEFAULT_CONNECTIONS_PER_SHARD

        shards = max(1, -(-max_in_flight // DEFAULT_CONNECTIONS_PER_SHARD))
        return cls(shards=shards, connections=-(-max_in_flight // shards), **transport_kwargs)

    @property
    def shards(self) -> list[httpx.AsyncHTTPTransport]:
        return list(self._shards)

    @property
    def in_flight(self) -> int:
        """Responses handed out and not yet closed, across shards."""
        return sum(self._in_flight)

    @property
    def connections_in_use(self) -> int:
        """Connections neither idle nor closed, plus requests queued in a shard's pool."""
        busy = 0
        for shard in self._shards:
            pool = shard._pool
            busy += len(pool._requests)
            busy += sum(1 for c in pool.connections if not (c.is_idle() or c.is_closed()))
        return busy

    def _release(self, index: int) -> None:
        self._in_flight[index] -= 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            self._in_flight[index] -= 1
            await _run_despite_cancellation(_drop_orphans(self._shards[index], self._opened[index]))
            raise
        if response.is_closed:
            # Read in full and closed already (a mocked shard does this): nothing would ever
            # close the stream again, so the shard is free now.
            self._release(index)
            return response
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _TrackedStream(
            response.stream, lambda: self._release(index), self._shards[index], self._opened[index]
        )
        return response

    async def aclose(self) -> None:
        for shard, opened in zip(self._shards, self._opened, strict=True):
            await shard.aclose()
            # The pool closed what it still listed; these are the ones it had let go of.
            await _drop_orphans(shard, opened)
