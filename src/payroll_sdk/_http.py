"""The ``httpx.AsyncClient`` a :class:`~payroll_sdk.PayrollClient` builds for itself.

By default its transport is :class:`~payroll_sdk._aiohttp.FastTransport` (aiohttp under the
httpx API): measured in ``bench/``, httpcore's pool and h11 cost several times aiohttp's CPU
per request and cap a batch at well under half of what the network allows. The httpcore path
stays one argument away: ``transport=ShardedTransport.sized(max_in_flight)``.

Either way the client follows no redirects, reads proxies from the environment (httpx mounts
a proxy transport per scheme), and keeps no cookies.
"""

from __future__ import annotations

import http.cookiejar
from typing import TYPE_CHECKING, Any

import httpx

from ._config import DEFAULT_LIMITS

if TYPE_CHECKING:
    # Annotations only. (httpx itself imports http.cookiejar and urllib.request today, so
    # this saves nothing yet; it keeps the SDK from depending on that.)
    import urllib.request

__all__ = ["build_http_client"]


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that never stores or sends anything: the API sets no cookies, and httpx would
    otherwise run ``http.cookiejar``'s parsing on every response."""

    def extract_cookies(self, response: Any, request: urllib.request.Request) -> None:
        return None

    def add_cookie_header(self, request: urllib.request.Request) -> None:
        return None


def build_http_client(
    transport: httpx.AsyncBaseTransport | None, max_in_flight: int
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` over ``transport``, or over a :class:`FastTransport` with a
    pool of ``max_in_flight`` connections (the limiter keeps the pool free of waiters)."""
    if transport is None:
        from ._aiohttp import FastTransport

        transport = FastTransport(max_connections=max_in_flight)
    return httpx.AsyncClient(
        transport=transport,
        limits=DEFAULT_LIMITS,
        follow_redirects=False,
        trust_env=True,
        cookies=_NoCookies(),
    )
