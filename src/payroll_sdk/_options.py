"""The clients' keyword options, defined once for both clients.

:class:`~payroll_sdk.PayrollClient` and :class:`~payroll_sdk.PayrollClientSync` take
``**options: Unpack[ClientOptions]`` (``with_options`` takes :class:`RequestOptions`), the way
openai-python shares its request options: an option added here reaches both clients, their
type-checked signatures and the surface test (``tests/test_sync_surface.py``) at once, instead
of being re-typed by hand in the sync client and forgotten there.

The defaults and the checks of each value live with the code that resolves them
(``_config.py``); what is here is the names and types. Unknown names are refused at run time
as Python refuses them for a plain signature (:func:`check_option_names`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import httpx

from ._config import Environment, NotGiven

__all__ = ["ClientOptions", "RequestOptions", "SandboxClientOptions", "check_option_names"]


class RequestOptions(TypedDict, total=False):
    """Per-call settings: what ``with_options`` can change on a copy of a client.

    - ``timeout``: per attempt, seconds or an ``httpx.Timeout`` (``None``: no timeout);
    - ``max_retries``: retries after the first attempt;
    - ``deadline``: seconds for a whole call, across every attempt and backoff sleep
      (``None``: no deadline);
    - ``retry_after_cap``: the longest ``Retry-After`` slept on (longer raises
      :class:`~payroll_sdk.RateLimitError`).

    Left out (or :data:`~payroll_sdk.NOT_GIVEN`): the client's default, or the original's.
    """

    timeout: float | httpx.Timeout | NotGiven | None
    max_retries: int | NotGiven
    deadline: float | NotGiven | None
    retry_after_cap: float | NotGiven


class SandboxClientOptions(RequestOptions, total=False):
    """The options of a client whose server is given for it (``PayrollClient.sandbox()``):
    everything but the secret, the server and the HTTP plumbing.

    - ``api_version``: the ``Pinwheel-Version`` header sent on every request;
    - ``max_in_flight``: requests in flight at once across the client and its copies;
    - ``rate_limit``: requests per second across them (``None``, the default: unlimited);
    - ``default_headers``: extra headers on every request.
    """

    api_version: str
    max_in_flight: int
    rate_limit: float | None
    default_headers: Mapping[str, str] | None


class ClientOptions(SandboxClientOptions, total=False):
    """Every keyword argument of ``PayrollClient(...)`` and ``PayrollClientSync(...)``.

    - ``api_secret``: defaults to ``PAYROLL_API_SECRET``;
    - ``base_url`` or ``environment`` (``"production"``, ``"sandbox"``, ``"development"``);
      otherwise ``PAYROLL_BASE_URL``, otherwise production;
    - ``http_client``: your own ``httpx.AsyncClient`` (never closed by the SDK), or
      ``transport``: an ``httpx.AsyncBaseTransport`` for the client the SDK builds;
    - and those of :class:`SandboxClientOptions` and :class:`RequestOptions`.
    """

    api_secret: str | None
    base_url: str | httpx.URL | None
    environment: Environment | None
    http_client: httpx.AsyncClient | None
    transport: httpx.AsyncBaseTransport | None


def check_option_names(given: Mapping[str, object], options: type, caller: str) -> None:
    """Raise ``TypeError`` for a name ``options`` (a TypedDict) does not define, as Python does
    for an unexpected keyword argument (with the closest valid name, for a typo)."""
    allowed: frozenset[str] = options.__required_keys__ | options.__optional_keys__  # type: ignore[attr-defined]
    for name in given:
        if name not in allowed:
            import difflib  # only for this error: not worth its import at start-up

            close = difflib.get_close_matches(name, sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{caller}() got an unexpected keyword argument {name!r}{hint}")
