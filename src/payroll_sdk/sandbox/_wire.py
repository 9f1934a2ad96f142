"""Wire helpers: JSON bytes, error bodies, opaque cursors and query parsing."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import os
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from starlette.responses import Response

__all__ = [
    "ApiError",
    "decode_cursor",
    "dumps",
    "encode_cursor",
    "error_response",
    "json_response",
    "new_request_id",
    "parse_date",
    "parse_limit",
]

_REQUEST_ID_PREFIX = f"req_{os.urandom(4).hex()}"
_REQUEST_COUNTER = itertools.count(1)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UUID_PATTERN = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


# ``json.dumps`` with ``separators`` builds a new encoder per call: a tenth of serialising a
# paystub. One encoder, the same settings, the same bytes (``encode`` is reentrant).
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, the one serialisation the sandbox uses."""
    return _ENCODER.encode(value).encode()


def new_request_id() -> str:
    """A unique request id (``req_`` + a per-process random prefix + a counter)."""
    return f"{_REQUEST_ID_PREFIX}{next(_REQUEST_COUNTER):010x}"


class ApiError(Exception):
    """An error answer: raised by handlers, turned into the documented error body."""

    def __init__(
        self,
        status_code: int,
        type_: str,
        code: str,
        message: str,
        fields: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.type = type_
        self.code = code
        self.message = message
        self.fields = list(fields)
        self.headers = headers or {}

    @classmethod
    def invalid(cls, name: str, message: str, code: str = "INVALID_PARAMETER") -> ApiError:
        return cls(400, "INVALID_REQUEST_PARAMETERS", code, message, [(name, message)])

    @classmethod
    def not_found(cls, code: str, message: str) -> ApiError:
        return cls(404, "RECORD_NOT_FOUND", code, message)


def json_response(body: bytes, request_id: str, status_code: int = 200) -> Response:
    return Response(
        body,
        status_code=status_code,
        media_type="application/json",
        headers={"x-request-id": request_id},
    )


def error_response(error: ApiError, request_id: str) -> Response:
    """``{"error": {"type", "code", "message", "status_code", "fields"?}}``."""
    payload: dict[str, Any] = {
        "type": error.type,
        "code": error.code,
        "message": error.message,
        "status_code": error.status_code,
    }
    if error.fields:
        payload["fields"] = [{"name": n, "message": m} for n, m in error.fields]
    response = json_response(dumps({"error": payload}), request_id, error.status_code)
    response.headers.update(error.headers)
    return response


def cursor_binding(*parts: str) -> str:
    """A short hash tying a cursor to its list (endpoint, owner id and filters)."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=6).hexdigest()


def encode_cursor(offset: int, binding: str) -> str:
    raw = dumps({"o": offset, "b": binding})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, binding: str) -> int:
    """The offset a cursor points at; ApiError(400) for garbage or another list's cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        offset, bound_to = value["o"], value["b"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise ApiError.invalid("cursor", "cursor is not a valid cursor") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ApiError.invalid("cursor", "cursor is not a valid cursor")
    if bound_to != binding:
        raise ApiError.invalid(
            "cursor", "cursor belongs to another list or other filters", "CURSOR_MISMATCH"
        )
    return offset


def parse_limit(text: str | None) -> int:
    if text is None:
        return 25
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise ApiError.invalid("limit", "limit must be an integer between 1 and 100")
    return int(text)


def parse_date(name: str, text: str | None) -> str | None:
    """Validate a ``YYYY-MM-DD`` filter; the ISO string itself compares correctly."""
    if text is None:
        return None
    try:
        if not _DATE.match(text):
            raise ValueError
        date.fromisoformat(text)
    except ValueError:
        raise ApiError.invalid(name, f"{name} must be a date in YYYY-MM-DD format") from None
    return text
