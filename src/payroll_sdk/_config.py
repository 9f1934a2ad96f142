"""Client defaults and how a client's settings are resolved from arguments and the environment."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from datetime import timedelta
from typing import Final, Literal, TypeVar

import httpx

from ._exceptions import ConfigurationError

__all__ = [
    "DEFAULT_API_VERSION",
    "DEFAULT_DEADLINE",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_IN_FLIGHT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_AFTER_CAP",
    "DEFAULT_STALE_AFTER",
    "DEFAULT_TIMEOUT",
    "ENVIRONMENTS",
    "NOT_GIVEN",
    "Environment",
    "NotGiven",
]

Environment = Literal["production", "sandbox", "development"]

#: The contract's three servers.
ENVIRONMENTS: Final[Mapping[str, str]] = {
    "production": "https://api.getpinwheel.com/v1",
    "sandbox": "https://sandbox.getpinwheel.com/v1",
    "development": "https://development.getpinwheel.com/v1",
}

#: API versions the contract's ``Pinwheel-Version`` header accepts.
API_VERSIONS: Final = (
    "2025-07-08",
    "2023-11-22",
    "2023-07-18",
    "2023-04-18",
    "2022-09-09",
    "2022-06-22",
    "2022-03-02",
)
DEFAULT_API_VERSION: Final = "2025-07-08"

#: Per attempt. ``read`` bounds the wait for each chunk, not the whole attempt: the call's
#: ``deadline`` is what bounds wall-clock time across attempts and sleeps.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: Seconds for a whole call (every attempt and every backoff sleep). ``None`` disables it.
DEFAULT_DEADLINE: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 2
#: A server asking us to wait longer than this (``Retry-After``) is not slept on.
DEFAULT_RETRY_AFTER_CAP: Final = 60.0
#: Requests in flight at once across the whole client (every get_profile/get_profiles call).
DEFAULT_MAX_IN_FLIGHT: Final = 100
#: Connections per pool shard on the httpcore path (``ShardedTransport.sized``): httpcore's pool
#: bookkeeping grows with the square of its size (and polls every idle socket on each pass), so
#: that path keeps several small pools instead of one large one. 5 measured 20% less client
#: CPU per request than 10 at 100 in flight (bench/cases, zero latency); 2 was no better.
DEFAULT_CONNECTIONS_PER_SHARD: Final = 5
#: Limits of the transports httpx builds itself inside the client we build (proxy mounts).
DEFAULT_LIMITS: Final = httpx.Limits(
    max_connections=DEFAULT_MAX_IN_FLIGHT, max_keepalive_connections=DEFAULT_MAX_IN_FLIGHT
)

#: ``get_profile(stale_after=...)``: one pay period of the longest common schedule (monthly,
#: up to 31 days) plus a few days of platform delay. Data older than this has missed at least
#: one paycheck, so it is not shown as current (see docs/data-quality.md, "Freshness").
DEFAULT_STALE_AFTER: Final = timedelta(days=35)

ENV_SECRET: Final = "PAYROLL_API_SECRET"
ENV_BASE_URL: Final = "PAYROLL_BASE_URL"
ENV_LOG: Final = "PAYROLL_LOG"


class NotGiven:
    """Sentinel for "argument not passed", distinct from an explicit ``None``.

    ``deadline=None`` means "no deadline"; leaving ``deadline`` out means "use the default".
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

_T = TypeVar("_T")


def given_or(value: _T | NotGiven, default: _T) -> _T:
    """``value`` unless it is :data:`NOT_GIVEN`."""
    return default if isinstance(value, NotGiven) else value


def resolve_secret(api_secret: str | None) -> str:
    """The secret from the argument or ``PAYROLL_API_SECRET``, checked to be a safe header value."""
    secret = api_secret if api_secret is not None else os.environ.get(ENV_SECRET)
    if secret is None:
        raise ConfigurationError(
            f"No API secret: pass api_secret=... or set {ENV_SECRET}. "
            "For the bundled sandbox, use PayrollClient.sandbox()."
        )
    if not secret:
        raise ConfigurationError("The API secret is empty.")
    if secret != secret.strip():
        raise ConfigurationError("The API secret has leading or trailing whitespace.")
    # Only visible ASCII: anything else could split or corrupt the X-API-SECRET header.
    if any(not ("!" <= ch <= "~") for ch in secret):
        raise ConfigurationError(
            "The API secret contains whitespace, control or non-ASCII characters."
        )
    return secret


def resolve_base_url(base_url: str | httpx.URL | None, environment: str | None) -> httpx.URL:
    """``base_url``, else ``environment``'s server, else ``PAYROLL_BASE_URL``, else production."""
    if base_url is not None and environment is not None:
        raise ConfigurationError("Pass base_url or environment, not both.")
    if environment is not None:
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(
                f"Unknown environment {environment!r}; expected one of {sorted(ENVIRONMENTS)}."
            )
        raw: str | httpx.URL = ENVIRONMENTS[environment]
    elif base_url is not None:
        raw = base_url
    else:
        raw = os.environ.get(ENV_BASE_URL) or ENVIRONMENTS["production"]
    url = httpx.URL(str(raw))
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {str(raw)!r}.")
    # Request paths are appended to the base as text: after a query or fragment they would
    # land in it, and every call would silently hit the base URL itself.
    if url.query or url.fragment or b"?" in url.raw_path:
        raise ConfigurationError("base_url must not have a query string or fragment.")
    if not urllib.parse.urlsplit(str(raw)).path:
        # Most likely "/v1" forgotten; an API served at the root is given as "http://host/".
        suggestion = str(url.copy_with(raw_path=b"/v1"))
        raise ConfigurationError(
            f"base_url {str(raw)!r} has no path; the API's routes are under /v1: did you mean "
            f"{suggestion!r}? (For an API served at the root, end the URL with '/'.)"
        )
    # A trailing slash makes relative paths join under the base instead of replacing its last
    # segment ("/v1" + "accounts" must give "/v1/accounts"). Always rebuilt from raw_path:
    # httpx prints "http://host/" as "http://host", and a path appended to that text would
    # land in the port.
    raw_path = url.raw_path if url.raw_path.endswith(b"/") else url.raw_path + b"/"
    return url.copy_with(raw_path=raw_path)


def resolve_api_version(api_version: str) -> str:
    if api_version not in API_VERSIONS:
        raise ConfigurationError(
            f"Unknown api_version {api_version!r}; the contract accepts {', '.join(API_VERSIONS)}."
        )
    return api_version


def resolve_timeout(timeout: float | httpx.Timeout | NotGiven | None) -> httpx.Timeout:
    if isinstance(timeout, NotGiven):
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if timeout <= 0:
        raise ConfigurationError("timeout must be positive.")
    return httpx.Timeout(timeout, connect=min(timeout, 5.0))


def resolve_deadline(deadline: float | NotGiven | None, default: float | None) -> float | None:
    value = given_or(deadline, default)
    if value is not None and value <= 0:
        raise ConfigurationError("deadline must be positive (or None for no deadline).")
    return value


def resolve_retry_after_cap(retry_after_cap: float) -> float:
    if retry_after_cap < 0:
        raise ConfigurationError("retry_after_cap must be >= 0.")
    return retry_after_cap


def resolve_max_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError("max_retries must be an int >= 0.")
    return max_retries
