"""The default transport: aiohttp's C HTTP parser under the ``httpx.AsyncClient`` API.

``httpx_aiohttp.AiohttpTransport`` does the bridging; this subclass sizes its connection pool
to the client's in-flight bound, turns cookies off (the API never sets any, and a cookie jar
is per-response work), and corrects one entry of httpx-aiohttp's exception table: a dropped
connection (``ServerDisconnectedError`` and its kin) is a protocol error, not a
``ConnectTimeout``. Any other aiohttp error becomes an ``httpx.TransportError``, so only httpx
exceptions reach the SDK's error mapping.

Imported when a client is built, not by ``import payroll_sdk`` (aiohttp takes ~40 ms to import).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

__all__ = ["FastTransport"]


def _corrected(exc: BaseException) -> BaseException:
    """The httpx exception to raise for ``exc`` (itself, unless the table got it wrong)."""
    cause = exc.__cause__
    if isinstance(exc, httpx.ConnectTimeout) and not isinstance(cause, TimeoutError):
        return httpx.RemoteProtocolError(type(cause).__name__ if cause else "disconnected")
    if isinstance(exc, aiohttp.ClientError) and not isinstance(exc, TimeoutError):
        return httpx.RemoteProtocolError(type(exc).__name__)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.ReadTimeout(type(exc).__name__)
    return exc


class _Stream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, owner: FastTransport) -> None:
        self._inner = inner
        self._owner: FastTransport | None = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except (httpx.ConnectTimeout, aiohttp.ClientError) as exc:
            fixed = _corrected(exc)
            if fixed is exc:
                raise
            raise fixed from (exc.__cause__ or exc)

    async def aclose(self) -> None:
        owner, self._owner = self._owner, None
        try:
            await self._inner.aclose()
        except aiohttp.ClientError as exc:
            raise _corrected(exc) from exc
        finally:
            if owner is not None:
                owner.in_flight -= 1


class FastTransport(AiohttpTransport):
    """``AiohttpTransport`` with a pool of ``max_connections``, no cookies, and exact errors.

    Extra keyword arguments (``verify``, ``cert``, ``trust_env``...) go to ``AiohttpTransport``.
    """

    def __init__(self, *, max_connections: int, **kwargs: object) -> None:
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        super().__init__(limits=limits, client=self._new_session, **kwargs)  # type: ignore[arg-type]
        #: Responses handed out and not yet closed.
        self.in_flight = 0

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
        )

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session, once the first request has created it."""
        return self.client if isinstance(self.client, aiohttp.ClientSession) else None

    @property
    def connections_in_use(self) -> int:
        """Connections checked out of aiohttp's pool (0 when every response is closed)."""
        session = self.session
        connector = session.connector if session is not None else None
        return len(connector._acquired) if connector is not None else 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except (httpx.ConnectTimeout, aiohttp.ClientError) as exc:
            fixed = _corrected(exc)
            if fixed is exc:
                raise
            raise fixed from (exc.__cause__ or exc)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Stream(response.stream, self)
        self.in_flight += 1
        return response
