"""One API route as a raw ASGI app: the checks, latency, faults and stats around a handler.

Order of checks for each request: method, ``X-API-SECRET`` (401), ``Pinwheel-Version``
(400), latency, faults, then the route's own validation (400) and lookups (404). No
middleware and no per-request JSON encoding: the handler returns the body's bytes.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._config import SUPPORTED_VERSIONS
from ._faults import WRAPPING_KINDS, Fault, FaultScriptError, SandboxConnectionDropped
from ._routes import Ctx, Handler
from ._wire import ApiError, error_response, json_response, new_request_id

if TYPE_CHECKING:
    from ._app import Sandbox

__all__ = ["Endpoint"]

logger = logging.getLogger("payroll_sdk.sandbox")

_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_MALFORMED = b'{"data": [{"id": "5b1f", "amount": 12,,]} <!-- upstream -->'


class _DroppedResponse(Response):
    """Announces the full length, sends half the body, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise SandboxConnectionDropped("sandbox fault: connection dropped mid-response")


class _SlowResponse(Response):
    """Sends the headers at once and the body only after ``delay`` seconds."""

    delay = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await asyncio.sleep(self.delay)
        await send({"type": "http.response.body", "body": self.body})


def _fault_response(sandbox: Sandbox, fault: Fault, request_id: str) -> Response:
    kind = fault.kind
    if kind.startswith("429"):
        seconds = fault.arg if fault.arg is not None else sandbox.config.faults.retry_after_seconds
        headers: dict[str, str] = {}
        if kind == "429":
            headers["Retry-After"] = str(math.ceil(seconds))
        elif kind == "429-date":
            headers["Retry-After"] = email.utils.formatdate(time.time() + seconds, usegmt=True)
        return error_response(
            ApiError(
                429,
                "RATE_LIMIT_EXCEEDED",
                "TOO_MANY_REQUESTS",
                "Too many requests; slow down.",
                headers=headers,
            ),
            request_id,
        )
    if kind == "502-html":
        return Response(_BAD_GATEWAY_HTML, 502, {"x-request-id": request_id}, "text/html")
    if kind == "malformed":
        return json_response(_MALFORMED, request_id)
    status = int(kind)
    code = {
        500: "INTERNAL_SERVER_ERROR",
        502: "BAD_GATEWAY",
        503: "SERVICE_UNAVAILABLE",
        504: "GATEWAY_TIMEOUT",
    }[status]
    return error_response(
        ApiError(status, "UNKNOWN_ERROR", code, f"Sandbox fault: {code.lower()}."), request_id
    )


def _wrap(sandbox: Sandbox, fault: Fault, response: Response) -> Response:
    body = bytes(response.body)
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    if fault.kind == "truncated":
        return Response(body[: len(body) // 2], response.status_code, headers)
    if fault.kind == "drop":
        return _DroppedResponse(body, response.status_code, headers)
    slow = _SlowResponse(body, response.status_code, headers)
    slow.delay = fault.arg if fault.arg is not None else sandbox.config.faults.slow_seconds
    return slow


class Endpoint:
    """One route as a raw ASGI app: the checks, the faults and the stats around a handler."""

    def __init__(self, sandbox: Sandbox, name: str, handler: Handler, *, is_list: bool) -> None:
        self.sandbox = sandbox
        self.name = name
        self.handler = handler
        self.is_list = is_list

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stats = self.sandbox.stats
        stats.request_started(self.name)
        status = 500
        try:
            response = await self._respond(scope)
            status = response.status_code
            await response(scope, receive, send)
        finally:
            stats.request_finished(status)

    async def _respond(self, scope: Scope) -> Response:
        request_id = new_request_id()
        sandbox = self.sandbox
        try:
            secret = version = fault_header = None
            for key, value in scope["headers"]:
                if key == b"x-api-secret":
                    secret = value
                elif key == b"pinwheel-version":
                    version = value
                elif key == b"x-sandbox-faults":
                    fault_header = value
            if scope["method"] != "GET":
                raise ApiError(
                    405,
                    "INVALID_REQUEST_PARAMETERS",
                    "METHOD_NOT_ALLOWED",
                    f"{scope['method']} is not allowed here; use GET.",
                )
            self._authorise(secret, version)
            delay = sandbox.latency_seconds(self.name)
            if delay:
                await asyncio.sleep(delay)
            query_string = scope["query_string"].decode("latin-1")
            ctx = Ctx(
                sandbox,
                scope["path_params"],
                dict(parse_qsl(query_string, keep_blank_values=True)),
                scope["path"],
            )
            account_script = None
            if "account_id" in ctx.path_params:
                known = sandbox.data.account(ctx.path_params["account_id"])
                account_script = known.fault_script if known is not None else None
            try:
                fault = sandbox.faults.decide(
                    endpoint=self.name,
                    method=scope["method"],
                    path=scope["path"],
                    query=query_string,
                    header_script=fault_header.decode("latin-1") if fault_header else None,
                    account_script=account_script,
                )
            except FaultScriptError as exc:
                raise ApiError.invalid("X-Sandbox-Faults", str(exc)) from None
            if fault is not None and fault.kind == "repeat-cursor" and not self.is_list:
                fault = None  # only lists have cursors to repeat
            if fault is not None:
                sandbox.stats.fault_injected(fault.kind)
                if fault.kind not in WRAPPING_KINDS:
                    return _fault_response(sandbox, fault, request_id)
                ctx.repeat_cursor = fault.kind == "repeat-cursor"
            try:
                response = json_response(self.handler(ctx), request_id)
            except ApiError as error:
                response = error_response(error, request_id)
            if fault is not None and fault.kind in ("drop", "truncated", "slow"):
                response = _wrap(sandbox, fault, response)
            return response
        except ApiError as error:
            return error_response(error, request_id)
        except Exception:
            logger.exception("sandbox handler failed")
            internal = ApiError(500, "UNKNOWN_ERROR", "INTERNAL_SERVER_ERROR", "Internal error.")
            return error_response(internal, request_id)

    def _authorise(self, secret: bytes | None, version: bytes | None) -> None:
        if secret is None:
            raise ApiError(
                401,
                "UNAUTHORIZED_REQUEST",
                "MISSING_API_SECRET",
                "The X-API-SECRET header is required.",
            )
        if not self.sandbox.secret_matches(secret):
            raise ApiError(
                401, "UNAUTHORIZED_REQUEST", "INVALID_API_SECRET", "The API secret is not valid."
            )
        if version is None:
            raise ApiError.invalid(
                "Pinwheel-Version",
                "The Pinwheel-Version header is required.",
                "MISSING_PINWHEEL_VERSION",
            )
        if version.decode("latin-1") not in SUPPORTED_VERSIONS:
            raise ApiError.invalid(
                "Pinwheel-Version",
                f"Unsupported Pinwheel-Version; use one of {', '.join(SUPPORTED_VERSIONS)}.",
                "INVALID_PINWHEEL_VERSION",
            )
