"""From what httpx returned (a response, or an exception) to a parsed model or a typed error.

Every string that reaches an exception is scrubbed of the API secret (a server or a proxy can
echo the request's ``X-API-SECRET``), and no excerpt keeps personal data.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from typing import Any, Final

import httpx
import pydantic

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeadlineExceededError,
    FieldError,
    RateLimitError,
    ResponseValidationError,
    status_error_class,
)
from ._logging import redact
from ._retry import parse_retry_after

__all__ = [
    "DirectResponse",
    "request_failure",
    "request_id",
    "status_error",
    "validation_error",
]


@dataclass(slots=True)
class DirectResponse:
    """A response read whole by a transport's direct ``get`` (the aiohttp one,
    ``_aiohttp.FastTransport``, or the in-process one, ``_asgi.InProcessTransport``)."""

    status_code: int
    #: As received: ``(name, value)`` byte pairs, names in the server's case.
    raw_headers: tuple[tuple[bytes, bytes], ...]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


_REQUEST_ID_KEYS: Final = (b"x-request-id", b"request-id", b"x-pinwheel-request-id")
_CAUSE_CHARS: Final = 120


def request_id(response: httpx.Response | DirectResponse) -> str | None:
    """The first of the request-id headers the response has, in ``_REQUEST_ID_KEYS`` order.

    One pass over the raw headers: ``headers.get`` would scan and decode them all per name.
    """
    raw = response.headers.raw if isinstance(response, httpx.Response) else response.raw_headers
    found: dict[bytes, bytes] = {}
    for key, value in raw:
        lowered = key.lower()
        if lowered in _REQUEST_ID_KEYS and value:
            found.setdefault(lowered, value)
    for key in _REQUEST_ID_KEYS:
        if key in found:
            return found[key].decode("latin-1")
    return None


def request_failure(
    exc: BaseException, *, host: str, method: str, path: str, attempt: int
) -> APIConnectionError:
    """The typed error for an attempt that got no usable response.

    ``exc`` is the deadline's ``TimeoutError`` or an ``httpx.RequestError``. The message names
    the host (from the client's base URL, never a proxy's, whose URL may carry credentials) and
    the cause as the OS or TLS layer states it ("Connection refused"); the httpx exception stays
    available as ``__cause__``.
    """
    where = {"method": method, "path": path}
    if isinstance(exc, TimeoutError) and not isinstance(exc, httpx.TimeoutException):
        return DeadlineExceededError(
            "The call's deadline passed during the request.", attempts=attempt, **where
        )
    cause = _describe(exc)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"The request to {host} timed out ({cause}).", attempts=attempt, **where
        )
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(f"Could not reach {host} ({cause}).", attempts=attempt, **where)
    # Not a TransportError but the same for the caller: no usable response. Mostly a body that
    # cannot be decoded (a gzip stream cut short by a proxy), worth a retry.
    return APIConnectionError(
        f"The response from {host} could not be read ({cause}).", attempts=attempt, **where
    )


def _describe(exc: BaseException) -> str:
    """The most specific cause in ``exc``'s chain: a TLS reason, an OS error's text, or else a
    class name (aiohttp's when the aiohttp transport mapped one, as it maps a dropped
    connection to ``ConnectTimeout``), never a raw message (which can quote URLs)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return f"TLS: {getattr(current, 'reason', None) or type(current).__name__}"
        if isinstance(current, OSError) and current.strerror:
            return redact(current.strerror)[:_CAUSE_CHARS]
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.startswith("aiohttp"):
        return type(cause).__name__
    return type(exc).__name__


def status_error(
    response: httpx.Response,
    *,
    method: str,
    path: str,
    attempt: int,
    request_id: str | None,
    route_hint: str | None = None,
) -> APIStatusError:
    """The typed error for a 4xx/5xx response, from the API's error body when it has one.

    ``route_hint`` is added to a 404 that is not about a record (no such route at all): with a
    base URL that lacks ``/v1``, every call ends that way.
    """
    body: Any = None
    error_type = code = None
    message = ""
    fields: list[FieldError] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        error_type = _clean_str(error.get("type"))
        code = _clean_str(error.get("code"))
        message = _clean_str(error.get("message")) or ""
        raw_fields = error.get("fields")
        if isinstance(raw_fields, list):
            fields = [
                FieldError(redact(str(item.get("name", ""))), redact(str(item.get("message", ""))))
                for item in raw_fields
                if isinstance(item, dict)
            ]
    if not message:
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        described = (
            "an empty body"
            if not response.content
            else (f"a {kind} body" if kind else "a non-JSON body")
        )
        message = f"{response.reason_phrase or 'HTTP error'} ({described})"
    if route_hint and response.status_code == 404 and code in (None, "ROUTE_NOT_FOUND"):
        message = f"{message} {route_hint}"
    error_class = status_error_class(response.status_code)
    kwargs: dict[str, Any] = {
        "response": response,
        "body": body,
        "type": error_type,
        "code": code,
        "fields": fields,
        "request_id": redact(request_id) if request_id else request_id,
        "method": method,
        "path": path,
        "attempts": attempt,
    }
    if error_class is RateLimitError:
        return RateLimitError(message, retry_after=parse_retry_after(response.headers), **kwargs)
    return error_class(message, **kwargs)


def validation_error(
    exc: pydantic.ValidationError,
    response: httpx.Response | DirectResponse,
    *,
    method: str,
    path: str,
    attempt: int,
    request_id: str | None,
) -> ResponseValidationError:
    """The typed error for a 2xx body that is not JSON, or not the documented shape."""
    problems = exc.errors(include_url=False, include_input=False)
    first = problems[0] if problems else None
    if first is not None and first["type"] == "json_invalid":
        summary = "The response body is not valid JSON."
    elif first is not None:
        where = ".".join(str(part) for part in first["loc"]) or "body"
        summary = (
            f"The response body does not match the documented shape ({where}: {first['msg']})."
        )
    else:  # pragma: no cover - pydantic always reports at least one error
        summary = "The response body does not match the documented shape."
    return ResponseValidationError(
        summary,
        # Scrubbed over more than is kept, so a value cut at the 200th character is still
        # recognised (and masked) whole.
        body_excerpt=_scrub_excerpt(response.content[:1000].decode("utf-8", "replace"))[:200],
        status_code=response.status_code,
        request_id=redact(request_id) if request_id else request_id,
        method=method,
        path=path,
        attempts=attempt,
    )


# An excerpt helps diagnose a proxy page or a cut-off body, but a cut-off identity or deposit
# body can start with personal data: those values are masked before the excerpt is kept.
_SENSITIVE_VALUE: Final = re.compile(
    r'("(?:last_four_ssn|date_of_birth|routing_number|masked_account_number|line1|line2|raw)"'
    r'\s*:\s*)"[^"]*"?'
)


def _scrub_excerpt(text: str) -> str:
    return redact(_SENSITIVE_VALUE.sub(r'\1"****"', text))


def _clean_str(value: object) -> str | None:
    """A non-empty string from an error body, with any API secret redacted; else ``None``."""
    return redact(value) if isinstance(value, str) and value else None
