"""The retry policy: which failures are retried, and how long to wait before the next attempt.

Pure functions, so the policy can be read and tested apart from the transport that applies it
(through tenacity, in ``_transport.py``).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from typing import Final

import pydantic

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    DeadlineExceededError,
    PayrollError,
    ResponseValidationError,
)

__all__ = [
    "INITIAL_BACKOFF",
    "MAX_BACKOFF",
    "RETRYABLE_STATUSES",
    "backoff_delay",
    "is_retryable",
    "is_retryable_status",
    "parse_retry_after",
    "retry_delay",
]

#: Statuses worth another attempt: the request timed out, was throttled, or hit a server/proxy
#: fault that is usually transient. Everything else (400, 401, 403, 404, 409, 422...) would fail
#: the same way again.
RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_BACKOFF: Final = 0.5
MAX_BACKOFF: Final = 8.0
# Far past the doubling that reaches MAX_BACKOFF, far below the one that overflows a float.
_MAX_DOUBLINGS: Final = 64


def is_retryable_status(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether a response with this status should be retried.

    The server can override the table with ``x-should-retry: true|false``.
    """
    override = headers.get("x-should-retry")
    if override is not None:
        lowered = override.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return status_code in RETRYABLE_STATUSES


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, or ``None`` if it did not say (or said nonsense).

    Reads ``retry-after-ms`` first (milliseconds), then ``retry-after`` as seconds or as an
    HTTP-date. A date in the past gives ``0.0``.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            millis = float(raw_ms)
        except ValueError:
            millis = -1.0
        if 0 <= millis < float("inf"):  # NaN is not >= 0; inf is nonsense, like in seconds
            return millis / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff_delay(retries_taken: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s ... capped at 8 s.

    The jitter takes up to a quarter off each delay, so clients that failed together do not
    retry together.
    """
    # The exponent is capped first: 2.0 ** 1024 overflows a float, and max_retries is unbounded.
    doublings = min(retries_taken, _MAX_DOUBLINGS)
    base = min(INITIAL_BACKOFF * (2.0**doublings), MAX_BACKOFF)
    draw = (rng or random).random()
    return base * (1.0 - 0.25 * draw)


def is_retryable(exc: BaseException | None, *, retry_after_cap: float) -> bool:
    """Whether a failed attempt is worth another one (the API is read-only: every call is a GET).

    Connection failures and per-attempt timeouts are; the call's own deadline is not. A status
    is when :func:`is_retryable_status` says so, unless the server asks for a wait longer than
    ``retry_after_cap`` (the caller gets the error, with ``retry_after``, and decides). A body
    that is not JSON at all (cut short, a proxy's page) may be fine next time; a JSON body of
    the wrong shape would be the same again.
    """
    if isinstance(exc, DeadlineExceededError):
        return False
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, APIStatusError):
        if not is_retryable_status(exc.status_code, exc.response.headers):
            return False
        asked = parse_retry_after(exc.response.headers)
        return asked is None or asked <= retry_after_cap
    if isinstance(exc, ResponseValidationError):
        cause = exc.__cause__
        return isinstance(cause, pydantic.ValidationError) and any(
            err["type"] == "json_invalid" for err in cause.errors(include_url=False)
        )
    return False


def retry_delay(
    failure: PayrollError | BaseException | None,
    retries_taken: int,
    *,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after ``failure`` before the next attempt: the server's ``Retry-After``
    when it gave one, else :func:`backoff_delay`."""
    if isinstance(failure, APIStatusError):
        asked = parse_retry_after(failure.response.headers)
        if asked is not None:
            return asked
    return backoff_delay(retries_taken, rng=rng)
