"""``PayrollClient``: the async client and the owner of its connection pool."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import date, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Final, Unpack

import httpx

from ._config import (
    DEFAULT_API_VERSION,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AFTER_CAP,
    DEFAULT_STALE_AFTER,
    NOT_GIVEN,
    NotGiven,
    given_or,
    resolve_api_version,
    resolve_base_url,
    resolve_deadline,
    resolve_max_retries,
    resolve_retry_after_cap,
    resolve_secret,
    resolve_timeout,
)
from ._exceptions import ConfigurationError
from ._http import build_http_client
from ._limiter import RequestLimiter
from ._logging import register_secret, setup_logging
from ._options import ClientOptions, RequestOptions, SandboxClientOptions, check_option_names
from ._transport import CallOptions, Transport
from ._version import __version__

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .aggregation import ProfileResult, ResourceName
    from .models.profile import PayrollProfile
    from .resources import (
        AccountsResource,
        DirectDepositAllocationsResource,
        EmploymentResource,
        IdentityResource,
        IncomeResource,
        PaystubsResource,
        ShiftsResource,
    )
    from .sandbox import SandboxConfig

__all__ = ["SANDBOX_BASE_URL", "PayrollClient"]

#: Where an in-process sandbox pretends to live (no DNS, no socket: ASGI in-process).
SANDBOX_BASE_URL: Final = "http://sandbox.local/v1"


class PayrollClient:
    """Async client for a Pinwheel-compatible payroll-data API.

    ::

        async with PayrollClient() as client:  # PAYROLL_API_SECRET / PAYROLL_BASE_URL
            profile = await client.get_profile("user_123")

    Every argument is keyword-only:

    - ``api_secret``: defaults to ``PAYROLL_API_SECRET``; a missing or malformed secret raises
      :class:`~payroll_sdk.ConfigurationError` here, not at the first request.
    - ``base_url`` or ``environment`` (``"production"``, ``"sandbox"``, ``"development"``, the
      contract's three servers); otherwise ``PAYROLL_BASE_URL``, otherwise production.
    - ``api_version``: the ``Pinwheel-Version`` header sent on every request.
    - ``timeout``: per attempt (seconds or an ``httpx.Timeout``); ``deadline``: seconds for a
      whole call across every attempt and backoff sleep (``None`` for none);
      ``max_retries``: retries after the first attempt; ``retry_after_cap``: the longest
      ``Retry-After`` we sleep on (longer raises :class:`~payroll_sdk.RateLimitError`).
    - ``max_in_flight``: requests in flight at once across this client and its copies;
      ``rate_limit``: optional requests per second across them (off by default).
    - ``default_headers``: extra headers on every request.
    - ``http_client``: your own ``httpx.AsyncClient`` (never closed by us), or ``transport``:
      an ``httpx.AsyncBaseTransport`` for the client we build. The default is aiohttp under
      httpx (``_aiohttp.FastTransport``); ``transport=ShardedTransport.sized(max_in_flight)``
      selects httpx's own httpcore stack, ``httpx.ASGITransport(app)`` an in-process app.

    The client owns one ``httpx.AsyncClient`` (unless you pass one). Close it with
    ``async with`` or :meth:`aclose`. :meth:`with_options` returns a copy sharing the pool.
    """

    accounts: AccountsResource
    paystubs: PaystubsResource
    shifts: ShiftsResource
    income: IncomeResource
    identity: IdentityResource
    employment: EmploymentResource
    direct_deposit_allocations: DirectDepositAllocationsResource

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        # The options are typed once, in _options.py, for this client and the sync one.
        check_option_names(options, ClientOptions, type(self).__name__)
        api_secret = options.get("api_secret")
        base_url = options.get("base_url")
        environment = options.get("environment")
        api_version = options.get("api_version", DEFAULT_API_VERSION)
        timeout = options.get("timeout", NOT_GIVEN)
        max_retries = given_or(options.get("max_retries", NOT_GIVEN), DEFAULT_MAX_RETRIES)
        deadline = options.get("deadline", NOT_GIVEN)
        retry_after_cap = given_or(
            options.get("retry_after_cap", NOT_GIVEN), DEFAULT_RETRY_AFTER_CAP
        )
        max_in_flight = options.get("max_in_flight", DEFAULT_MAX_IN_FLIGHT)
        rate_limit = options.get("rate_limit")
        default_headers = options.get("default_headers")
        http_client = options.get("http_client")
        transport = options.get("transport")
        setup_logging()
        secret = resolve_secret(api_secret)
        register_secret(secret)
        url = resolve_base_url(base_url, environment)
        version = resolve_api_version(api_version)
        if http_client is not None and transport is not None:
            raise ConfigurationError("Pass http_client or transport, not both.")
        if (
            isinstance(max_in_flight, bool)
            or not isinstance(max_in_flight, int)
            or max_in_flight < 1
        ):
            raise ConfigurationError("max_in_flight must be an int >= 1.")
        if rate_limit is not None and rate_limit <= 0:
            raise ConfigurationError("rate_limit must be positive (requests per second) or None.")
        call_options = CallOptions(
            timeout=resolve_timeout(timeout),
            max_retries=resolve_max_retries(max_retries),
            deadline=resolve_deadline(deadline, DEFAULT_DEADLINE),
            retry_after_cap=resolve_retry_after_cap(retry_after_cap),
        )
        # httpx.Headers, not a dict: header names are case-insensitive, so a caller's
        # "user-agent" must replace our "User-Agent" rather than be sent beside it.
        headers = httpx.Headers(
            {
                "X-API-SECRET": secret,
                "Pinwheel-Version": version,
                "Accept": "application/json",
                "User-Agent": f"payroll-sdk/{__version__}",
            }
        )
        headers.update(default_headers or {})
        owns_http_client = http_client is None
        if http_client is None:
            http_client = build_http_client(transport, max_in_flight)
        limiter = RequestLimiter(max_in_flight, rate_limit=rate_limit)
        self._transport = Transport(
            http_client,
            base_url=url,
            headers=headers,
            limiter=limiter,
            owns_http_client=owns_http_client,
        )
        self._use_options(call_options)

    def _use_options(self, options: CallOptions) -> None:
        """Apply per-call ``options``: to this client and to a resource object of each kind
        (a ``with_options`` copy gets its own)."""
        # Imported here, not at the top: the resources bring every model, and
        # `import payroll_sdk` should not pay for them before a client exists.
        from .resources import (
            AccountsResource,
            DirectDepositAllocationsResource,
            EmploymentResource,
            IdentityResource,
            IncomeResource,
            PaystubsResource,
            ShiftsResource,
        )

        self._options = options
        self.accounts = AccountsResource(self._transport, options)
        self.paystubs = PaystubsResource(self._transport, options)
        self.shifts = ShiftsResource(self._transport, options)
        self.income = IncomeResource(self._transport, options)
        self.identity = IdentityResource(self._transport, options)
        self.employment = EmploymentResource(self._transport, options)
        self.direct_deposit_allocations = DirectDepositAllocationsResource(self._transport, options)

    # -- construction helpers -------------------------------------------------------------

    @classmethod
    def sandbox(
        cls, config: SandboxConfig | None = None, **options: Unpack[SandboxClientOptions]
    ) -> PayrollClient:
        """A client wired to an in-process sandbox (no sockets, no credentials).

        ``config`` is a :class:`payroll_sdk.sandbox.SandboxConfig` (seed, latency, faults...);
        the other keyword arguments are the client's (:class:`SandboxClientOptions`). Needs
        the ``sandbox`` extra. The sandbox app is reachable as ``client.sandbox_app``.
        """
        from .sandbox import SandboxConfig, create_app

        config = config or SandboxConfig()
        return cls._serving(create_app(config), secret=config.secret, **options)

    @classmethod
    def _serving(
        cls, app: Starlette, *, secret: str, **options: Unpack[SandboxClientOptions]
    ) -> PayrollClient:
        """A client whose requests go to ``app`` in-process: the one way ``sandbox_app`` is
        set (``sandbox()`` and ``payroll_sdk.testing`` use it)."""
        from ._asgi import InProcessTransport

        client = cls(
            api_secret=secret,
            base_url=SANDBOX_BASE_URL,
            transport=InProcessTransport(app=app),
            **options,
        )
        client._sandbox_app = app
        return client

    _sandbox_app: Starlette | None = None

    @property
    def sandbox_app(self) -> Starlette | None:
        """The in-process sandbox app of a :meth:`sandbox` client (``None`` otherwise): its
        ``state.sandbox`` holds the ground truth, the request stats and the faults."""
        return self._sandbox_app

    def with_options(self, **options: Unpack[RequestOptions]) -> PayrollClient:
        """A copy with other per-call settings (:class:`RequestOptions`) that shares this
        client's pool and in-flight bound. Closing the copy never closes the pool; closing
        the original does."""
        check_option_names(options, RequestOptions, "with_options")
        timeout = options.get("timeout", NOT_GIVEN)
        max_retries = options.get("max_retries", NOT_GIVEN)
        deadline = options.get("deadline", NOT_GIVEN)
        retry_after_cap = options.get("retry_after_cap", NOT_GIVEN)
        current = self._options
        call_options = CallOptions(
            timeout=current.timeout if isinstance(timeout, NotGiven) else resolve_timeout(timeout),
            max_retries=current.max_retries
            if isinstance(max_retries, NotGiven)
            else resolve_max_retries(max_retries),
            deadline=resolve_deadline(deadline, current.deadline),
            retry_after_cap=current.retry_after_cap
            if isinstance(retry_after_cap, NotGiven)
            else resolve_retry_after_cap(retry_after_cap),
        )
        copy = object.__new__(type(self))
        copy._transport = self._transport.copy()
        copy._sandbox_app = self._sandbox_app
        copy._use_options(call_options)
        return copy

    # -- the profile ----------------------------------------------------------------------

    async def get_profile(
        self,
        end_user_id: str,
        *,
        include: Iterable[ResourceName] | None = None,
        from_date: date | str | None = None,
        to_date: date | str | None = None,
        deadline: float | NotGiven | None = NOT_GIVEN,
        strict: bool = False,
        stale_after: timedelta | float = DEFAULT_STALE_AFTER,
    ) -> PayrollProfile:
        """Everything about one end user, from all their payroll accounts, in one model.

        Lists the user's accounts, then fetches the six resources of every account at once
        and merges them into a :class:`~payroll_sdk.PayrollProfile`. A resource that fails
        after retries does not fail the profile: its ``status`` says why and
        ``profile.problems`` lists it (``strict=True`` raises
        :class:`~payroll_sdk.ProfileIncompleteError` instead, with the partial profile
        attached). Authentication and permission errors, and an unknown end user, raise.

        - ``include``: which resources (default all six).
        - ``from_date``/``to_date``: limit paystub pay dates and shift end dates.
        - ``deadline``: seconds for the whole profile, across every call and retry (default:
          the client's ``deadline``).
        - ``stale_after``: data last refreshed longer ago than this (a ``timedelta`` or days;
          default 35) makes its account ``stale`` in ``account.freshness``, and the summary
          stops counting it as current.
        """
        from .aggregation import fetch_profile

        return await fetch_profile(
            self,
            end_user_id,
            include=include,
            from_date=from_date,
            to_date=to_date,
            deadline=resolve_deadline(deadline, self._options.deadline),
            strict=strict,
            stale_after=stale_after,
        )

    def get_profiles(
        self,
        end_user_ids: Iterable[str],
        *,
        concurrency: int = 10,
        include: Iterable[ResourceName] | None = None,
        from_date: date | str | None = None,
        to_date: date | str | None = None,
        deadline: float | NotGiven | None = NOT_GIVEN,
        on_progress: Callable[[int, int | None], None] | None = None,
        stale_after: timedelta | float = DEFAULT_STALE_AFTER,
    ) -> AsyncGenerator[ProfileResult, None]:
        """Profiles for many users, yielded as each completes (not in input order).

        ``async for result in client.get_profiles(ids, concurrency=20):`` gives a
        :class:`~payroll_sdk.ProfileResult` per user: ``.profile`` or ``.error`` (the typed
        error for that user). At most ``concurrency`` users are fetched at once, and the
        client-wide ``max_in_flight`` still bounds requests. Memory stays constant: nothing
        already yielded is kept. ``on_progress(done, total)`` is called after each user
        (``total`` is ``None`` when ``end_user_ids`` has no length).
        """
        from .aggregation import iter_profiles

        return iter_profiles(
            self,
            end_user_ids,
            concurrency=concurrency,
            include=include,
            from_date=from_date,
            to_date=to_date,
            deadline=resolve_deadline(deadline, self._options.deadline),
            on_progress=on_progress,
            stale_after=stale_after,
        )

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether calls are refused: this client, or the one it was copied from, is closed."""
        return self._transport.is_closed

    @property
    def base_url(self) -> httpx.URL:
        return self._transport.base_url

    @property
    def max_retries(self) -> int:
        return self._options.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        return self._options.timeout

    @property
    def deadline(self) -> float | None:
        return self._options.deadline

    @property
    def requests_in_flight(self) -> int:
        """Requests holding a slot of the client-wide bound right now."""
        return self._transport.limiter.in_flight

    async def aclose(self) -> None:
        """Close the connection pool, if this client owns it (idempotent).

        A client built with ``http_client=`` leaves that client open; a ``with_options``
        copy leaves its original's pool open.
        """
        await self._transport.aclose()

    async def __aenter__(self) -> PayrollClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<PayrollClient base_url={str(self.base_url)!r}>"
