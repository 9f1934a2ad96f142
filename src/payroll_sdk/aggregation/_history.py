"""Long histories in concurrent date windows instead of one cursor chain.

A cursor chain costs one round trip per page: five years of weekly shifts is 13 pages, 13 round
trips one after another. The API's cursors are opaque and ``meta.count`` is the size of a page,
not a total, so the rest cannot be fetched by page number. Dates, though, can be split:

0. with the caller's ``from_date`` the range is known before any page: it is split at once
   (:func:`plan_range`) into windows sized for the densest history the list can have, so the
   whole list takes one round trip (plus a cursor step in any window that overflows);
1. otherwise the first page (newest first, 100 items) is read as usual; if it is the last,
   that is all;
2. otherwise the rest lies at or before the first page's oldest date. Given a lower bound (the
   caller's ``from_date``, else the employment start date fetched alongside), that range is
   split into adjacent windows sized from the first page's density to hold about 75 items
   each, and every window is fetched at once, each following its own cursor if it overflows;
3. the oldest window is open at the bottom (down to ``from_date``, or to the beginning), so a
   wrong or missing start date costs speed, never data;
4. pages are concatenated newest window first and each id is kept once (the first page and
   the newest window share the boundary date); records that could not be read are collected
   from every page and make the status ``partial``.

Measured on the sandbox (bench/cases/history.py): 13 chained pages at 50 ms took 789 ms;
windows take about the first page plus the longest window.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Final, TypeVar

from .._dedup import IdSet
from .._exceptions import PayrollError
from ..models import ListResponse
from ..models.profile import ResourceStatus
from ._outcome import FATAL, ListOutcome, fetch_list, status_from_error, with_unreadable

__all__ = ["fetch_history", "plan_range", "plan_windows"]

#: Items a window is sized to hold: under the 100-item page, so that most windows take one
#: request even where the history is denser than the first page suggested.
WINDOW_TARGET_ITEMS: Final = 75
#: At most this many windows per list (requests at once per list).
MAX_WINDOWS: Final = 16


_I = TypeVar("_I")

#: ``open_pages(from, to)`` iterates the pages of the list limited to ``from..to`` (inclusive).
OpenPages = Callable[[date | None, date | None], AsyncGenerator[ListResponse[_I], None]]


def plan_range(
    *, from_date: date, to_date: date | None, today: date, items_per_day: float
) -> list[tuple[date | None, date | None]]:
    """Adjacent windows ``(from, to)``, newest first, covering ``from_date..to_date``, planned
    before any page is read.

    ``items_per_day`` is the densest the list is expected to be (a paystub a week, a shift a
    day): windows hold about ``WINDOW_TARGET_ITEMS`` at that density, so most take a single
    request; a denser one follows its own cursor. The newest window is open at the top (up to
    ``to_date``, or without limit), so an item dated after ``today`` is never skipped.
    """
    top = to_date if to_date is not None else today
    days = (top - from_date).days + 1
    if days <= 0:
        return [(from_date, to_date)]
    count = min(MAX_WINDOWS, max(1, math.ceil(days * items_per_day / WINDOW_TARGET_ITEMS)))
    width = math.ceil(days / count)
    windows: list[tuple[date | None, date | None]] = []
    upper: date | None = to_date
    lower = top - timedelta(days=width - 1)
    for index in range(count):
        if index == count - 1 or lower <= from_date:
            windows.append((from_date, upper))
            break
        windows.append((lower, upper))
        upper = lower - timedelta(days=1)
        lower = upper - timedelta(days=width - 1)
    return windows


def plan_windows(
    *,
    newest: date,
    oldest: date,
    items_on_page: int,
    lower_bound: date | None,
    floor: date | None,
) -> list[tuple[date | None, date]]:
    """Adjacent windows ``(from, to)``, newest first, covering everything up to ``oldest``.

    ``oldest`` is the first page's oldest date (included again: the page may have stopped in
    the middle of that day). ``lower_bound`` is the best guess of the earliest date; ``floor``
    the caller's ``from_date``. The last window always reaches down to ``floor`` (``None``:
    the beginning), so nothing older than the guess is ever skipped.
    """
    if lower_bound is None or lower_bound >= oldest:
        return [(floor, oldest)]
    density = items_on_page / max((newest - oldest).days, 1)
    days = (oldest - lower_bound).days + 1
    count = min(MAX_WINDOWS, max(1, math.ceil(density * days / WINDOW_TARGET_ITEMS)))
    width = math.ceil(days / count)
    windows: list[tuple[date | None, date]] = []
    upper = oldest
    for index in range(count):
        if index == count - 1:
            windows.append((floor, upper))
            break
        start = upper - timedelta(days=width - 1)
        windows.append((start, upper))
        upper = start - timedelta(days=1)
    return windows


async def fetch_history(
    open_pages: OpenPages[_I],
    *,
    date_of: Callable[[_I], date | None],
    from_date: date | None,
    to_date: date | None,
    start_hint: Awaitable[date | None],
    items_per_day: float,
) -> ListOutcome[_I]:
    """Every item of a dated list in ``from_date..to_date``, newest first, each id once.

    Records without a date (real data has them) are kept; they only take no part in sizing
    the windows. A first page with no dated record at all is followed by its cursor.
    ``items_per_day``: the densest this list can be, for windows planned from ``from_date``.
    """
    if from_date is not None:
        planned = plan_range(
            from_date=from_date,
            to_date=to_date,
            today=datetime.now(UTC).date(),
            items_per_day=items_per_day,
        )
        if len(planned) > 1:
            parts = await asyncio.gather(*(fetch_list(open_pages(lo, hi)) for lo, hi in planned))
            return _merge(None, parts, None)
    started = time.monotonic()
    chain = open_pages(from_date, to_date)
    try:
        first = await anext(chain)
    except StopAsyncIteration:  # pragma: no cover - a pager always yields its first page
        return ListOutcome([], ResourceStatus(state="ok"))
    except FATAL:
        raise
    except PayrollError as exc:
        return ListOutcome([], status_from_error(exc, pages=0, attempts=0))
    refreshed = first.meta.refreshed_at
    dates = [d for d in map(date_of, first.data) if d is not None]
    if not first.meta.next_cursor or not first.data:
        await chain.aclose()
        return _merge(first, [], refreshed)
    if not dates:
        return _merge(first, [await fetch_list(chain)], refreshed)

    # The start date is fetched alongside the first page and is usually there by now; waiting
    # longer than the first page took would cost more than the windows save.
    hint = await _wait_briefly(start_hint, max(0.05, time.monotonic() - started))
    lower = max((d for d in (from_date, hint) if d is not None), default=None)
    windows = plan_windows(
        newest=max(dates),
        oldest=min(dates),
        items_on_page=len(first.data),
        lower_bound=lower,
        floor=from_date,
    )
    if len(windows) == 1:
        # Nothing to split: following the cursor is the same work without a repeated page.
        return _merge(first, [await fetch_list(chain)], refreshed)
    await chain.aclose()
    parts = await asyncio.gather(*(fetch_list(open_pages(lo, hi)) for lo, hi in windows))
    return _merge(first, parts, refreshed)


def _merge(
    first: ListResponse[_I] | None,
    parts: Iterable[ListOutcome[_I]],
    refreshed: datetime | None,
) -> ListOutcome[_I]:
    """``first`` (the first page, unless the windows were planned without one) then the
    windows, newest first, each id once; without ``refreshed`` the newest window's counts."""
    parts = list(parts)
    seen = IdSet()
    items = [] if first is None else list(seen.new(first.data))
    unreadable = [] if first is None else list(first.unreadable)
    pages, attempts = (0, 0) if first is None else (1, first.attempts)
    failure: ResourceStatus | None = None
    for part in parts:
        if refreshed is None:
            refreshed = part.status.refreshed_at
        items.extend(seen.new(part.items))
        # A window overlapping the first page reads the same unreadable record again.
        unreadable.extend(r for r in part.unreadable if r not in unreadable)
        pages += part.status.pages
        attempts += part.status.attempts
        if failure is None and part.status.state != "ok" and not _only_unreadable(part.status):
            failure = part.status
    if failure is None:
        status = ResourceStatus(state="ok", refreshed_at=refreshed, attempts=attempts, pages=pages)
    else:
        # A window that failed leaves a gap in the middle of the history: every page that was
        # read is kept, and the status says the list is incomplete and why.
        status = ResourceStatus(
            state="partial",
            refreshed_at=refreshed,
            attempts=attempts,
            pages=pages,
            reason=failure.reason,
        )
    return ListOutcome(items, with_unreadable(status, unreadable), unreadable)


def _only_unreadable(status: ResourceStatus) -> bool:
    return status.reason is not None and status.reason.error == "UnreadableRecords"


async def _wait_briefly(hint: Awaitable[date | None], seconds: float) -> date | None:
    try:
        return await asyncio.wait_for(asyncio.shield(hint), timeout=seconds)
    except TimeoutError:
        return None
