"""``PayrollClientSync``: the async client, driven from synchronous code.

One private event loop runs in a daemon thread for the client's lifetime. The async
:class:`~payroll_sdk.PayrollClient` is built on that loop (so its connection pool and its
in-flight limiter belong to it), and every method submits its coroutine there with
:func:`asyncio.run_coroutine_threadsafe` and waits for the result.

Why a thread rather than ``asyncio.run`` per call: the pool is kept between calls (one TLS
handshake, not one per call), the client can be shared by several threads at once, and it works
from code that already runs an event loop (a notebook), where ``asyncio.run`` refuses to start.
The loop and its thread are ``_loop_thread.LoopThread``; this module is the client's surface
(kept in step with the async client's by ``tests/test_sync_surface.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar, Unpack

import httpx

from ._client import PayrollClient
from ._config import DEFAULT_STALE_AFTER, NOT_GIVEN, NotGiven
from ._dedup import IdSet
from ._loop_thread import LoopThread
from ._options import ClientOptions, RequestOptions, SandboxClientOptions, check_option_names
from .models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    ListResponse,
    ObjectResponse,
    PayrollAccount,
    Paystub,
    Shift,
    UnreadableRecord,
)

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ._pagination import AsyncPager
    from .aggregation import ProfileResult
    from .models.profile import PayrollProfile, ResourceName
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

__all__ = [
    "PayrollClientSync",
    "SyncAccountsResource",
    "SyncDirectDepositAllocationsResource",
    "SyncEmploymentResource",
    "SyncIdentityResource",
    "SyncIncomeResource",
    "SyncPager",
    "SyncPaystubsResource",
    "SyncShiftsResource",
]

_T = TypeVar("_T")


async def _first_page(pager: AsyncPager[_T]) -> ListResponse[_T]:
    # A coroutine for the loop thread to run: awaiting an AsyncPager gives its first page.
    return await pager


class SyncPager(Generic[_T]):
    """The pages of a list endpoint, fetched as they are consumed (sync twin of
    :class:`~payroll_sdk.AsyncPager`).

    ``for item in pager`` gives every item of every page (100 per page unless ``limit`` was
    set); :meth:`first_page` gives the first page only (a ``ListResponse`` with ``.meta``);
    :meth:`pages` gives every page; :meth:`to_list` every item in a list. Items come once per
    id; records that could not be read are in :attr:`unreadable`, as on the async pager.
    """

    def __init__(self, pager: AsyncPager[_T], runner: LoopThread) -> None:
        self._pager = pager
        self._runner = runner

    @property
    def unreadable(self) -> list[UnreadableRecord]:
        """Records of the pages read so far that could not be read, raw (usually empty)."""
        return self._pager.unreadable

    def first_page(self) -> ListResponse[_T]:
        """The first page: ``.data`` and ``.meta.next_cursor``."""
        return self._runner.run(_first_page(self._pager))

    def pages(self) -> Iterator[ListResponse[_T]]:
        """Every page in order. A failing page raises after the earlier pages were given."""
        return self._runner.iterate(self._pager.pages())

    def __iter__(self) -> Iterator[_T]:
        seen = IdSet()
        for page in self.pages():
            yield from seen.new(page.data)

    def to_list(self) -> list[_T]:
        """Every item of every page."""
        return list(self)


class _SyncResource:
    def __init__(self, runner: LoopThread) -> None:
        self._runner = runner


class SyncAccountsResource(_SyncResource):
    """``client.accounts`` (see :class:`payroll_sdk.resources.AccountsResource`)."""

    def __init__(self, resource: AccountsResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def list_for_end_user(
        self, end_user_id: str, *, limit: int | None = None
    ) -> SyncPager[PayrollAccount]:
        """The payroll accounts of one end user: ``for account in ...:``."""
        return SyncPager(self._resource.list_for_end_user(end_user_id, limit=limit), self._runner)

    def get(self, account_id: str) -> ObjectResponse[PayrollAccount]:
        """One payroll account."""
        return self._runner.run(self._resource.get(account_id))


class SyncPaystubsResource(_SyncResource):
    """``client.paystubs`` (see :class:`payroll_sdk.resources.PaystubsResource`)."""

    def __init__(self, resource: PaystubsResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def list(
        self,
        account_id: str,
        *,
        from_pay_date: date | str | None = None,
        to_pay_date: date | str | None = None,
        limit: int | None = None,
    ) -> SyncPager[Paystub]:
        """An account's paystubs, newest first by ``pay_date``."""
        pager = self._resource.list(
            account_id, from_pay_date=from_pay_date, to_pay_date=to_pay_date, limit=limit
        )
        return SyncPager(pager, self._runner)

    def get(self, account_id: str, paystub_id: str) -> ObjectResponse[Paystub]:
        """One paystub."""
        return self._runner.run(self._resource.get(account_id, paystub_id))


class SyncShiftsResource(_SyncResource):
    """``client.shifts`` (see :class:`payroll_sdk.resources.ShiftsResource`)."""

    def __init__(self, resource: ShiftsResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def list(
        self,
        account_id: str,
        *,
        from_start_date: date | str | None = None,
        to_start_date: date | str | None = None,
        from_end_date: date | str | None = None,
        to_end_date: date | str | None = None,
        limit: int | None = None,
    ) -> SyncPager[Shift]:
        """An account's shifts, newest first by ``end_date``."""
        pager = self._resource.list(
            account_id,
            from_start_date=from_start_date,
            to_start_date=to_start_date,
            from_end_date=from_end_date,
            to_end_date=to_end_date,
            limit=limit,
        )
        return SyncPager(pager, self._runner)


class SyncIncomeResource(_SyncResource):
    """``client.income``."""

    def __init__(self, resource: IncomeResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def get(self, account_id: str) -> ObjectResponse[Income]:
        """The account's income (``NotFoundError`` when it has none)."""
        return self._runner.run(self._resource.get(account_id))


class SyncIdentityResource(_SyncResource):
    """``client.identity``."""

    def __init__(self, resource: IdentityResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def get(self, account_id: str) -> ObjectResponse[Identity]:
        """The account's identity (``NotFoundError`` when it has none)."""
        return self._runner.run(self._resource.get(account_id))


class SyncEmploymentResource(_SyncResource):
    """``client.employment``."""

    def __init__(self, resource: EmploymentResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def get(self, account_id: str) -> ObjectResponse[Employment]:
        """The account's employment (``NotFoundError`` when it has none)."""
        return self._runner.run(self._resource.get(account_id))


class SyncDirectDepositAllocationsResource(_SyncResource):
    """``client.direct_deposit_allocations``."""

    def __init__(self, resource: DirectDepositAllocationsResource, runner: LoopThread) -> None:
        super().__init__(runner)
        self._resource = resource

    def get(self, account_id: str) -> ObjectResponse[DirectDepositAllocations]:
        """The account's direct deposit allocations (``NotFoundError`` when it has none)."""
        return self._runner.run(self._resource.get(account_id))


class PayrollClientSync:
    """Synchronous client: the same arguments, resources and methods as
    :class:`~payroll_sdk.PayrollClient`, without ``await``.

    ::

        with PayrollClientSync() as client:  # PAYROLL_API_SECRET / PAYROLL_BASE_URL
            profile = client.get_profile("user_123")
            for stub in client.paystubs.list(profile.accounts[0].account.id):
                print(stub.pay_date, stub.gross_pay)

    A private event loop runs in a daemon thread from construction until :meth:`close` (or
    the end of the ``with`` block). One client can be shared by many threads: their calls run
    concurrently on that loop, over one connection pool and one in-flight bound.

    It also works where an event loop is already running (a Jupyter notebook), because the
    work runs on the private loop. Inside a coroutine, though, every call blocks the caller's
    loop until it returns: use :class:`~payroll_sdk.PayrollClient` with ``await`` there.
    Errors are the same typed exceptions the async client raises.
    """

    accounts: SyncAccountsResource
    paystubs: SyncPaystubsResource
    shifts: SyncShiftsResource
    income: SyncIncomeResource
    identity: SyncIdentityResource
    employment: SyncEmploymentResource
    direct_deposit_allocations: SyncDirectDepositAllocationsResource

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        check_option_names(options, ClientOptions, type(self).__name__)
        self._start_loop_with(lambda: PayrollClient(**options))

    def _start_loop_with(self, build: Callable[[], PayrollClient]) -> None:
        """Start the private loop and build the async client on it (its pool and limiter
        belong to that loop)."""
        runner = LoopThread()

        async def build_on_loop() -> PayrollClient:
            return build()

        try:
            client = runner.run(build_on_loop())
        except BaseException:
            runner.stop()
            raise
        self._wrap(client, runner, owns_loop=True)

    def _wrap(self, client: PayrollClient, runner: LoopThread, *, owns_loop: bool) -> None:
        """Drive ``client`` (and a sync twin of each of its resources) through ``runner``."""
        self._async = client
        self._runner = runner
        self._owns_loop = owns_loop
        self._closed = False
        self.accounts = SyncAccountsResource(client.accounts, runner)
        self.paystubs = SyncPaystubsResource(client.paystubs, runner)
        self.shifts = SyncShiftsResource(client.shifts, runner)
        self.income = SyncIncomeResource(client.income, runner)
        self.identity = SyncIdentityResource(client.identity, runner)
        self.employment = SyncEmploymentResource(client.employment, runner)
        self.direct_deposit_allocations = SyncDirectDepositAllocationsResource(
            client.direct_deposit_allocations, runner
        )

    @classmethod
    def sandbox(
        cls, config: SandboxConfig | None = None, **options: Unpack[SandboxClientOptions]
    ) -> PayrollClientSync:
        """A client wired to an in-process sandbox (see :meth:`PayrollClient.sandbox`)."""
        client = object.__new__(cls)
        client._start_loop_with(lambda: PayrollClient.sandbox(config, **options))
        return client

    @classmethod
    def _serving(
        cls, app: Starlette, *, secret: str, **options: Unpack[SandboxClientOptions]
    ) -> PayrollClientSync:
        """A client whose requests go to ``app`` in-process (see ``PayrollClient._serving``)."""
        client = object.__new__(cls)
        client._start_loop_with(lambda: PayrollClient._serving(app, secret=secret, **options))
        return client

    def with_options(self, **options: Unpack[RequestOptions]) -> PayrollClientSync:
        """A copy with other per-call settings, sharing this client's loop, pool and bound.

        Closing the copy leaves everything open; closing the original closes the copies too.
        """
        copy = object.__new__(type(self))
        copy._wrap(self._async.with_options(**options), self._runner, owns_loop=False)
        return copy

    # -- the profile ----------------------------------------------------------------------

    def get_profile(
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
        """Everything about one end user (see :meth:`PayrollClient.get_profile`)."""
        return self._runner.run(
            self._async.get_profile(
                end_user_id,
                include=include,
                from_date=from_date,
                to_date=to_date,
                deadline=deadline,
                strict=strict,
                stale_after=stale_after,
            )
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
    ) -> Iterator[ProfileResult]:
        """Profiles for many users, yielded as each completes (see
        :meth:`PayrollClient.get_profiles`).

        The users are fetched concurrently on the private loop while you consume the results;
        leaving the ``for`` loop early cancels the ones in progress. ``end_user_ids`` is read
        and ``on_progress`` is called on the loop's thread: keep the callback quick and do not
        call this client from it.
        """
        results = self._async.get_profiles(
            end_user_ids,
            concurrency=concurrency,
            include=include,
            from_date=from_date,
            to_date=to_date,
            deadline=deadline,
            on_progress=on_progress,
            stale_after=stale_after,
        )
        return self._runner.iterate(results)

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        return self._closed or self._runner.stopped

    @property
    def base_url(self) -> httpx.URL:
        return self._async.base_url

    @property
    def max_retries(self) -> int:
        return self._async.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        return self._async.timeout

    @property
    def deadline(self) -> float | None:
        return self._async.deadline

    @property
    def requests_in_flight(self) -> int:
        """Requests holding a slot of the client-wide bound right now."""
        return self._async.requests_in_flight

    @property
    def sandbox_app(self) -> Starlette | None:
        """The in-process sandbox app of a :meth:`sandbox` client (``None`` otherwise): its
        ``state.sandbox`` holds the ground truth, the request stats and the faults."""
        return self._async.sandbox_app

    def close(self) -> None:
        """Close the pool (if this client owns it), stop the loop and join its thread.

        Idempotent. Calls still running in other threads are cancelled. A ``with_options``
        copy only marks itself closed.
        """
        if self._closed:
            return
        self._closed = True
        if self._owns_loop:
            self._runner.stop(self._async.aclose())

    def __enter__(self) -> PayrollClientSync:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PayrollClientSync base_url={str(self.base_url)!r}>"
