"""The in-process transport's direct path (payroll_sdk._asgi) makes the exchange httpx's ASGI
transport makes, and the sandbox clients use it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from payroll_sdk import PayrollClient
from payroll_sdk._asgi import InProcessTransport

Scope = dict[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]

URL = "http://sandbox.test/v1/accounts/a%2Fb%20c/paystubs?limit=5&cursor=x%3Dy"


def _recording(chunks: list[bytes], seen: list[Scope], status: int = 200) -> App:
    async def app(scope: Scope, receive: Any, send: Any) -> None:
        seen.append(scope)
        body, more = b"", True
        while more:  # httpx sends an empty chunk, then the end; the direct path the end
            message = await receive()
            assert message["type"] == "http.request"
            body, more = body + message["body"], message["more_body"]
        assert body == b""
        headers = [(b"content-type", b"application/json"), (b"X-Request-Id", b"req_1")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for index, chunk in enumerate(chunks):
            more = index < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    return app


async def test_the_scope_is_the_one_httpx_builds() -> None:
    direct_seen: list[Scope] = []
    httpx_seen: list[Scope] = []
    headers = {"X-API-SECRET": "s3cret", "Pinwheel-Version": "2025-07-08"}

    await InProcessTransport(app=_recording([b"{}"], direct_seen)).get(URL, headers, {})
    transport = httpx.ASGITransport(app=_recording([b"{}"], httpx_seen))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get(httpx.URL(URL), headers=headers)

    direct, via_httpx = direct_seen[0], httpx_seen[0]
    for key in (
        "type",
        "asgi",
        "http_version",
        "method",
        "scheme",
        "path",
        "raw_path",
        "query_string",
        "server",
        "client",
        "root_path",
    ):
        assert direct[key] == via_httpx[key], key
    assert direct["path"] == "/v1/accounts/a/b c/paystubs"
    # httpx adds its defaults (accept, user-agent...); every header we send arrives the same.
    assert set(direct["headers"]) <= set(via_httpx["headers"])
    assert (b"host", b"sandbox.test") in direct["headers"]
    assert (b"x-api-secret", b"s3cret") in direct["headers"]


async def test_an_explicit_port_is_in_the_server_pair() -> None:
    seen: list[Scope] = []
    await InProcessTransport(app=_recording([b"{}"], seen)).get("http://h:8123/v1/x", {}, {})
    assert seen[0]["server"] == ("h", 8123)
    assert (b"host", b"h:8123") in seen[0]["headers"]


async def test_the_body_is_every_chunk_and_the_headers_are_kept() -> None:
    response = await InProcessTransport(app=_recording([b'{"da', b"", b'ta": 1}'], [])).get(
        URL, {}, {}
    )
    assert (response.status_code, response.content) == (200, b'{"data": 1}')
    assert (b"X-Request-Id", b"req_1") in response.raw_headers  # names as the app sent them


async def test_an_app_exception_escapes_as_httpx_lets_it() -> None:
    async def failing(scope: Scope, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await InProcessTransport(app=failing).get(URL, {}, {})


async def test_without_raising_an_app_failure_is_a_500_keeping_what_was_sent() -> None:
    async def half(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b"par", "more_body": True})
        raise RuntimeError("dropped")

    async def nothing(scope: Scope, receive: Any, send: Any) -> None:
        raise RuntimeError("dropped")

    started = await InProcessTransport(app=half, raise_app_exceptions=False).get(URL, {}, {})
    assert (started.status_code, started.content) == (503, b"par")
    silent = await InProcessTransport(app=nothing, raise_app_exceptions=False).get(URL, {}, {})
    assert (silent.status_code, silent.content) == (500, b"")


async def test_an_app_that_never_completes_its_response_is_a_transport_error() -> None:
    async def unfinished(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    with pytest.raises(httpx.RemoteProtocolError):
        await InProcessTransport(app=unfinished).get(URL, {}, {})


async def test_sandbox_clients_take_the_direct_path_and_hooks_still_see_every_request() -> None:
    async with PayrollClient.sandbox() as client:
        direct = client._transport._direct_transport()
        assert isinstance(direct, InProcessTransport)
        profile = await client.get_profile("user_single")
        assert profile.complete

    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    async with PayrollClient.sandbox() as hooked:
        hooked._transport.http_client.event_hooks["request"].append(hook)
        assert hooked._transport._direct_transport() is None  # hooks need httpx's objects
        await hooked.get_profile("user_single")
    assert any(path.endswith("/accounts") for path in seen)
