"""The in-process transport: an ASGI app (the sandbox) called directly, as ``httpx.ASGITransport``
calls it, without building an ``httpx.Request`` and ``httpx.Response`` around each call.

``PayrollClient.sandbox()`` and ``payroll_sdk.testing`` serve every request this way, so the
examples, the docs' code and the test suite wait on it. Measured on 200 sandbox users
(``get_profiles(concurrency=10)``, warm, 2026-12-01): 4.5-5.1 s of CPU through
``httpx.ASGITransport``, 3.6-4.0 s through :meth:`InProcessTransport.get`; the difference is
httpx's URL parsing, header normalisation and byte-stream wrappers, per request.

The ASGI exchange is the one ``httpx.ASGITransport`` makes: the same scope (method, path,
raw path, query string, headers, server, client, root path; ``tests/test_asgi.py`` compares
them), an empty request body (in one message, where httpx sends an empty chunk and then the
end), a disconnect once the response is complete; an exception the app raises escapes as it is
(``raise_app_exceptions``, the default) or becomes an empty 500 (``raise_app_exceptions=False``).
Timeouts are not applied here, as httpx's ASGI transport applies none: the SDK's deadline
bounds the call. Requests that do not go through the SDK's direct path (event hooks, a
caller's own ``httpx.AsyncClient``) use ``handle_async_request``, httpx's own code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import unquote

import httpx

from ._response import DirectResponse

__all__ = ["InProcessTransport"]


class InProcessTransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` plus :meth:`get`, the SDK's direct path (see the module)."""

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: Mapping[str, float | None]
    ) -> DirectResponse:
        """``GET url`` (absolute, already encoded) through the app, its body read whole.

        ``headers`` are sent as given plus ``Host`` (as httpx sends it); ``timeouts`` are
        accepted for the direct-transport interface and not applied (module docstring).
        """
        scheme, _, rest = url.partition("://")
        netloc, slash, target = rest.partition("/")
        raw_path, _, query = (slash + target).partition("?")
        host, _, port = netloc.partition(":")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "headers": [
                *(
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in headers.items()
                ),
                (b"host", netloc.encode("ascii")),
            ],
            "scheme": scheme,
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("ascii"),
            "query_string": query.encode("ascii"),
            "server": (host, int(port) if port else None),  # None: the scheme's default
            "client": self.client,
            "root_path": self.root_path,
        }
        exchange = _Exchange()
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except Exception:  # the app's own failure, as httpx.ASGITransport treats it
            if self.raise_app_exceptions:
                raise
            exchange.finish()
        if not exchange.complete:
            # httpx asserts here; a transport error is what the SDK can report and retry.
            raise httpx.RemoteProtocolError("the app returned without completing its response")
        status = 500 if exchange.status is None else exchange.status
        return DirectResponse(status, exchange.headers, b"".join(exchange.body))


class _Exchange:
    """One request's ASGI ``receive``/``send`` pair and what the app sent."""

    __slots__ = ("_done", "_request_sent", "body", "headers", "status")

    def __init__(self) -> None:
        self._request_sent = False
        self._done = asyncio.Event()
        self.status: int | None = None
        self.headers: tuple[tuple[bytes, bytes], ...] = ()
        self.body: list[bytes] = []

    async def receive(self) -> dict[str, Any]:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = tuple(
                (bytes(name), bytes(value)) for name, value in message.get("headers", ())
            )
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            if body:
                self.body.append(body)
            if not message.get("more_body", False):
                self._done.set()

    @property
    def complete(self) -> bool:
        return self._done.is_set()

    def finish(self) -> None:
        self._done.set()
