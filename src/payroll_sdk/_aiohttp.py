"""The default transport: aiohttp's C HTTP parser under the ``httpx.AsyncClient`` API.

``httpx_aiohttp.AiohttpTransport`` does the bridging; this subclass sizes its connection pool
to the client's in-flight bound, turns cookies off (the API never sets any, and a cookie jar
is per-response work), and corrects one entry of httpx-aiohttp's exception table: a dropped
connection (``ServerDisconnectedError`` and its kin) is a protocol error, not a
``ConnectTimeout``. Any other aiohttp error becomes an ``httpx.TransportError``, so only httpx
exceptions reach the SDK's error mapping.

:meth:`FastTransport.get` is the SDK's own hot path on the same session: a GET whose body is
read whole, with no ``httpx.Request``/``httpx.Response`` built around it. Measured in
``bench/``: with small bodies the httpx objects (URL parsing and validation, header
normalisation, the byte-stream wrappers) cost about as much CPU as aiohttp's whole request,
which halved a batch's rate against raw aiohttp. Its errors are the same httpx exceptions.

Imported when a client is built, not by ``import payroll_sdk`` (aiohttp takes ~40 ms to import).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Mapping

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import AIOHTTP_EXC_MAP
from multidict import CIMultiDict
from yarl import URL

from ._response import DirectResponse

__all__ = ["DirectResponse", "FastTransport"]


def _as_httpx(exc: BaseException) -> BaseException:
    """The httpx exception httpx-aiohttp would raise for an aiohttp ``exc`` (corrected as
    :func:`_corrected` does), or ``exc`` itself when it is not aiohttp's."""
    target: type[httpx.HTTPError] | None = None
    for source, candidate in AIOHTTP_EXC_MAP.items():
        if isinstance(exc, source) and (target is None or issubclass(candidate, target)):
            target = candidate
    if target is None:
        return exc
    mapped = target(str(exc))
    mapped.__cause__ = _safe_cause(exc)
    fixed = _corrected(mapped)
    fixed.__cause__ = mapped.__cause__
    return fixed


@functools.lru_cache(maxsize=64)
def _client_timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for httpx's phases, as httpx-aiohttp maps them. Cached: most calls
    use the client's configured values (only a deadline closer than a phase's timeout cuts
    them), and the object is immutable."""
    return aiohttp.ClientTimeout(sock_connect=connect, sock_read=read, connect=pool)


def _safe_cause(exc: BaseException) -> BaseException | None:
    """``exc``, to keep as a cause, unless it holds the request's headers: a
    ``ClientResponseError`` carries them (the secret among them) in its ``request_info``."""
    return None if isinstance(exc, aiohttp.ClientResponseError) else exc


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

    @staticmethod
    def prepared_headers(raw: Iterable[tuple[bytes, bytes]]) -> CIMultiDict[str]:
        """Request headers for :meth:`get`, built once: names in the case given, every value
        kept, ``Host`` left to aiohttp (which derives it from the URL)."""
        return CIMultiDict(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in raw
            if name.lower() != b"host"
        )

    def _session(self) -> aiohttp.ClientSession:
        if not isinstance(self.client, aiohttp.ClientSession):
            self.client = self.get_client()
        return self.client

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: Mapping[str, float | None]
    ) -> DirectResponse:
        """``GET url`` (already encoded), its body read whole; the connection goes back to the
        pool (or is closed, if the body was not read to its end) before this returns or
        raises, cancellation included.

        ``timeouts`` are httpx's per-phase ones (``connect``, ``read``, ``pool``), mapped to
        aiohttp's as httpx-aiohttp maps them. Failures raise the httpx exceptions
        :meth:`handle_async_request` raises for the same causes.
        """
        timeout = _client_timeout(
            timeouts.get("connect"), timeouts.get("read"), timeouts.get("pool")
        )
        failure: BaseException | None = None
        try:
            async with self._session().get(
                URL(url, encoded=True), headers=headers, allow_redirects=False, timeout=timeout
            ) as response:
                content = await response.read()
                return DirectResponse(response.status, response.raw_headers, content)
        except aiohttp.ClientError as exc:
            failure = _as_httpx(exc)
            if failure is exc:  # not in the table: a response aiohttp could not parse
                failure = httpx.RemoteProtocolError(type(exc).__name__)
                failure.__cause__ = _safe_cause(exc)
        # Raised out here, not in the handler: there it would keep the aiohttp error as its
        # __context__ even when the cause is dropped for holding the secret.
        raise failure

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
