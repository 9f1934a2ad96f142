"""``get_profile``: list the accounts, fan out over every account's resources, merge.

The wall time of a profile is its critical path (the accounts listing, then the slowest
resource chain of any account), not the sum of its calls: every account's six resources run
as concurrent tasks in one ``TaskGroup``, so cancelling the profile cancels them all and no
task outlives it. Requests are still bounded client-wide by the transport's limiter.

A resource that fails after retries becomes a status, not an exception: see
:func:`_fetch_object` and ``_history.fetch_history``. Only errors that make continuing
pointless (401, 403) end the profile early.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .._config import DEFAULT_STALE_AFTER
from .._deadline import deadline_scope
from .._dedup import unique_by_id
from .._exceptions import InvalidInputError, PayrollError, ProfileIncompleteError
from .._validation import check_date_range, path_id
from ..models import ListResponse, ObjectResponse, PayrollAccount, Paystub, Shift
from ..models.profile import (
    RESOURCE_NAMES,
    AccountProfile,
    PayrollProfile,
    Problem,
    ResourceName,
    ResourceStatus,
)
from ..models.summary import ProfileSummary
from ._figures import add_figures
from ._freshness import assess_freshness, check_stale_after
from ._history import fetch_history
from ._outcome import FATAL, ListOutcome, fetch_list, status_from_error
from ._summary import summarize

if TYPE_CHECKING:
    from .._client import PayrollClient

__all__ = ["fetch_account", "fetch_profile", "resolve_include", "summary_of"]


_T = TypeVar("_T")

#: The densest histories planned for when ``from_date`` is given (windows before any page):
#: weekly pay, and about one shift a day.
PAYSTUBS_PER_DAY = 1 / 7
SHIFTS_PER_DAY = 1.0


def resolve_include(include: Iterable[str] | None) -> frozenset[ResourceName]:
    """The resources to fetch: all six by default. Unknown names are an input error."""
    if include is None:
        return frozenset(RESOURCE_NAMES)
    if isinstance(include, str):
        raise InvalidInputError("include must be a collection of resource names, not a str.")
    chosen = set(include)
    unknown = chosen.difference(RESOURCE_NAMES)
    if unknown:
        raise InvalidInputError(
            f"Unknown resource(s) in include: {sorted(unknown)}; "
            f"expected some of {list(RESOURCE_NAMES)}."
        )
    return frozenset(name for name in RESOURCE_NAMES if name in chosen)


async def fetch_profile(
    client: PayrollClient,
    end_user_id: str,
    *,
    include: Iterable[str] | None,
    from_date: date | str | None,
    to_date: date | str | None,
    deadline: float | None,
    strict: bool,
    stale_after: timedelta | float = DEFAULT_STALE_AFTER,
) -> PayrollProfile:
    """Build one end user's :class:`PayrollProfile` (see ``PayrollClient.get_profile``)."""
    path_id(end_user_id, "end_user_id")
    wanted = resolve_include(include)
    window = check_date_range(from_date, to_date, "from_date", "to_date")
    stale_after = check_stale_after(stale_after)
    fetched_at = datetime.now(UTC)

    with deadline_scope(deadline):
        # Errors here propagate: without the list of accounts there is no profile to return
        # (an unknown end user is NotFoundError, a bad secret AuthenticationError).
        listing = client.accounts.list_for_end_user(end_user_id)
        accounts = unique_by_id([a async for a in listing])
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(fetch_account(client, account, wanted, window))
                    for account in accounts
                ]
        except BaseExceptionGroup as failure:
            raise _first_error(failure) from None
        profiles = [task.result() for task in tasks]
    for account in profiles:
        account.freshness = assess_freshness(account, as_of=fetched_at, stale_after=stale_after)

    problems = [
        Problem(
            account_id=str(p.account.id),
            resource=name,
            state=status.state,
            reason=status.reason,
            unreadable=status.unreadable,
            unreadable_ids=[r.id for r in p.unreadable.get(name, ()) if r.id is not None],
        )
        for p in profiles
        for name, status in p.status.items()
        if status.state in ("failed", "partial")
    ]
    profile = PayrollProfile(
        end_user_id=end_user_id,
        fetched_at=fetched_at,
        accounts=profiles,
        summary=summary_of(profiles, as_of=fetched_at.date(), stale_after=stale_after),
        complete=not problems and not listing.unreadable,
        problems=problems,
        unreadable_accounts=listing.unreadable,
    )
    if strict and problems:
        first = problems[0]
        raise ProfileIncompleteError(
            f"{first.resource} of account {first.account_id} is {first.state}"
            f"{': ' + first.reason.error if first.reason else ''}"
            f" ({len(problems)} resource(s) incomplete).",
            profile=profile,
        )
    return profile


def summary_of(
    profiles: list[AccountProfile], *, as_of: date, stale_after: timedelta
) -> ProfileSummary:
    """The summary of a profile's accounts, figures included: the one place it is built, for
    ``get_profile`` and for the profile store's ``load_profile`` alike."""
    return add_figures(
        summarize(profiles, as_of=as_of, stale_after=stale_after),
        profiles,
        # Figures of accounts whose data is not fresh are marked stale.
        stale_account_ids=[
            a.account.id for a in profiles if a.freshness is None or not a.freshness.is_fresh
        ],
    )


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to raise for a TaskGroup failure: a fatal API error first, else the first."""
    leaves = list(_leaves(group))
    for exc in leaves:
        if isinstance(exc, FATAL):
            return exc
    return leaves[0]


def _leaves(group: BaseExceptionGroup[BaseException]) -> Iterable[BaseException]:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            yield from _leaves(exc)
        else:
            yield exc


async def fetch_account(
    client: PayrollClient,
    account: PayrollAccount,
    wanted: frozenset[ResourceName],
    window: tuple[date | None, date | None],
    since: Mapping[ResourceName, date] | None = None,
) -> AccountProfile:
    """One account's ``wanted`` resources, fetched at once.

    ``since`` moves the lower date bound of a list (``"paystubs"``, ``"shifts"``) up to the
    given date: the profile store's incremental reads (``payroll_sdk.store``).
    """
    account_id = str(account.id)
    first, last = window
    since = since or {}

    def lower(name: ResourceName) -> date | None:
        bound = since.get(name)
        if bound is None:
            return first
        return bound if first is None else max(first, bound)

    profile = AccountProfile(account=account)
    status = {name: ResourceStatus(state="skipped") for name in RESOURCE_NAMES}

    # The employment start date bounds how far back paystubs and shifts can go, which lets
    # their long histories be fetched in concurrent date windows (see _history.py).
    start_date: asyncio.Future[date | None] = asyncio.get_running_loop().create_future()
    if "employment" not in wanted:
        start_date.set_result(None)

    def paystub_pages(
        lo: date | None, hi: date | None
    ) -> AsyncGenerator[ListResponse[Paystub], None]:
        return client.paystubs.list(account_id, from_pay_date=lo, to_pay_date=hi).pages()

    def shift_pages(lo: date | None, hi: date | None) -> AsyncGenerator[ListResponse[Shift], None]:
        return client.shifts.list(account_id, from_end_date=lo, to_end_date=hi).pages()

    async def history(
        name: Literal["paystubs", "shifts"],
        pages: Callable[[date | None, date | None], AsyncGenerator[ListResponse[Any], None]],
        date_of: Callable[[Any], date | None],
        items_per_day: float,
    ) -> ListOutcome[Any]:
        if name in since:
            # An incremental read (the store's): what is new since a recent date is usually
            # one page, and a cursor chain never plans windows over a long quiet stretch.
            outcome: ListOutcome[Any] = await fetch_list(pages(lower(name), last))
        else:
            outcome = await fetch_history(
                pages,
                date_of=date_of,
                from_date=lower(name),
                to_date=last,
                start_hint=start_date,
                items_per_day=items_per_day,
            )
        status[name] = outcome.status
        if outcome.unreadable:
            profile.unreadable[name] = outcome.unreadable
        return outcome

    async def paystubs() -> None:
        outcome = await history(
            "paystubs", paystub_pages, lambda stub: stub.pay_date, PAYSTUBS_PER_DAY
        )
        profile.paystubs = outcome.items

    async def shifts() -> None:
        outcome = await history("shifts", shift_pages, lambda shift: shift.end_date, SHIFTS_PER_DAY)
        profile.shifts = outcome.items

    async def income() -> None:
        response, status["income"] = await _fetch_object(client.income.get, account_id)
        profile.income = response.data if response is not None else None

    async def identity() -> None:
        response, status["identity"] = await _fetch_object(client.identity.get, account_id)
        profile.identity = response.data if response is not None else None

    async def employment() -> None:
        try:
            response, status["employment"] = await _fetch_object(client.employment.get, account_id)
            profile.employment = response.data if response is not None else None
        finally:
            if not start_date.done():
                start_date.set_result(profile.employment.start_date if profile.employment else None)

    async def direct_deposit_allocations() -> None:
        response, status["direct_deposit_allocations"] = await _fetch_object(
            client.direct_deposit_allocations.get, account_id
        )
        profile.direct_deposit_allocations = response.data if response is not None else None

    jobs: dict[ResourceName, Callable[[], Coroutine[Any, Any, None]]] = {
        "paystubs": paystubs,
        "income": income,
        "identity": identity,
        "shifts": shifts,
        "employment": employment,
        "direct_deposit_allocations": direct_deposit_allocations,
    }
    async with asyncio.TaskGroup() as group:
        for name in RESOURCE_NAMES:
            if name in wanted:
                group.create_task(jobs[name]())
    profile.status = status
    return profile


async def _fetch_object(
    fetch: Callable[[str], Awaitable[ObjectResponse[_T]]], account_id: str
) -> tuple[ObjectResponse[_T] | None, ResourceStatus]:
    try:
        response = await fetch(account_id)
    except FATAL:
        raise
    except PayrollError as exc:
        return None, status_from_error(exc, pages=0, attempts=0)
    refreshed = response.meta.refreshed_at if response.meta is not None else None
    return response, ResourceStatus(
        state="ok", refreshed_at=refreshed, attempts=response.attempts, pages=1
    )
