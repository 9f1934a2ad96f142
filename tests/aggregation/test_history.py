"""Long histories in concurrent date windows: planning, merging, and equality with the truth."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from payroll_sdk import InternalServerError, PayrollClient
from payroll_sdk.aggregation._history import MAX_WINDOWS, fetch_history, plan_range, plan_windows
from payroll_sdk.models import ListMeta, ListResponse, Paystub, Shift
from payroll_sdk.models._tolerant import UnreadableRecord, read_record
from payroll_sdk.sandbox import SandboxConfig, SandboxData

TODAY = date(2026, 11, 20)


def test_without_a_lower_bound_there_is_one_open_window() -> None:
    windows = plan_windows(
        newest=TODAY, oldest=date(2026, 1, 1), items_on_page=100, lower_bound=None, floor=None
    )
    assert windows == [(None, date(2026, 1, 1))]


@pytest.mark.parametrize("floor", [None, date(2019, 3, 1)])
def test_windows_are_adjacent_newest_first_and_reach_down_to_the_floor(
    floor: date | None,
) -> None:
    oldest = date(2025, 6, 30)
    windows = plan_windows(
        newest=TODAY,
        oldest=oldest,
        items_on_page=100,
        lower_bound=date(2020, 1, 1),
        floor=floor,
    )
    assert 1 < len(windows) <= MAX_WINDOWS
    assert windows[0][1] == oldest  # the first page's oldest day is read again
    assert windows[-1][0] == floor
    for (newer_start, _), (_, older_end) in itertools.pairwise(windows):
        assert newer_start is not None
        assert older_end == newer_start - timedelta(days=1)


def test_the_number_of_windows_follows_the_density_and_is_capped() -> None:
    sparse = plan_windows(
        newest=TODAY,
        oldest=TODAY - timedelta(days=700),  # 100 items over two years
        items_on_page=100,
        lower_bound=TODAY - timedelta(days=1400),
        floor=None,
    )
    dense = plan_windows(
        newest=TODAY,
        oldest=TODAY - timedelta(days=10),
        items_on_page=100,
        lower_bound=TODAY - timedelta(days=3650),
        floor=None,
    )
    assert len(sparse) == 2  # ~100 more items: two windows of ~50
    assert len(dense) == MAX_WINDOWS


@dataclass
class _Item:
    id: str
    day: date


class _FakeList:
    """A dated list served newest first in pages, with optional failing windows."""

    def __init__(
        self,
        days: list[date],
        *,
        fail_windows_ending: set[date] = frozenset(),  # type: ignore[assignment]
        damaged: frozenset[str] = frozenset(),
    ) -> None:
        self.items = [_Item(f"i{n}", d) for n, d in enumerate(sorted(days, reverse=True))]
        self.fail = fail_windows_ending
        self.damaged = damaged
        self.requests: list[tuple[date | None, date | None, int]] = []

    def open(self, lo: date | None, hi: date | None) -> AsyncGenerator[ListResponse[Any], None]:
        async def pages() -> AsyncGenerator[ListResponse[Any], None]:
            chosen = [
                i for i in self.items if (lo is None or i.day >= lo) and (hi is None or i.day <= hi)
            ]
            for offset in range(0, max(len(chosen), 1), 100):
                self.requests.append((lo, hi, offset))
                if offset == 0 and hi in self.fail and lo is not None:
                    response = httpx.Response(500, request=httpx.Request("GET", "http://x/"))
                    raise InternalServerError("boom", response=response)
                await asyncio.sleep(0)
                more = offset + 100 < len(chosen)
                served = chosen[offset : offset + 100]
                page: ListResponse[Any] = ListResponse[Any](
                    data=[i for i in served if i.id not in self.damaged],
                    meta=ListMeta(count=100, next_cursor=f"c{offset}" if more else None),
                )
                # Each page reads its damaged records afresh, as the client's parser does.
                read = [
                    read_record(Paystub, {"id": i.id, "pay_date": i.day.isoformat()})
                    for i in served
                    if i.id in self.damaged
                ]
                page._unreadable = [r for r in read if isinstance(r, UnreadableRecord)]
                assert len(page._unreadable) == len(read)
                yield page

        return pages()


def _done(value: date | None) -> asyncio.Future[date | None]:
    future: asyncio.Future[date | None] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


async def test_windows_return_every_item_once_in_order() -> None:
    days = [TODAY - timedelta(days=n // 3) for n in range(1000)]  # 3 per day, ~1 year
    fake = _FakeList(days)
    outcome = await fetch_history(
        fake.open,
        date_of=lambda item: item.day,
        from_date=None,
        to_date=None,
        start_hint=_done(TODAY - timedelta(days=340)),
        items_per_day=1.0,
    )
    items, status = outcome.items, outcome.status
    assert [i.id for i in items] == [i.id for i in fake.items]
    assert status.state == "ok" and status.pages == len(fake.requests)
    assert len({(lo, hi) for lo, hi, _ in fake.requests}) > 2  # really split into windows


async def test_a_wrong_start_date_costs_speed_not_data() -> None:
    days = [TODAY - timedelta(days=n) for n in range(600)]
    fake = _FakeList(days)
    outcome = await fetch_history(
        fake.open,
        date_of=lambda item: item.day,
        from_date=None,
        to_date=None,
        start_hint=_done(TODAY - timedelta(days=200)),  # data goes back 600 days,
        items_per_day=1.0,
    )
    items, status = outcome.items, outcome.status
    assert [i.id for i in items] == [i.id for i in fake.items]
    assert status.state == "ok"


async def test_a_failed_window_keeps_the_others_and_is_partial() -> None:
    days = [TODAY - timedelta(days=n) for n in range(500)]
    lower = TODAY - timedelta(days=499)
    plan = plan_windows(
        newest=TODAY,
        oldest=TODAY - timedelta(days=99),
        items_on_page=100,
        lower_bound=lower,
        floor=None,
    )
    broken = plan[1][1]
    fake = _FakeList(days, fail_windows_ending={broken})
    outcome = await fetch_history(
        fake.open,
        date_of=lambda item: item.day,
        from_date=None,
        to_date=None,
        start_hint=_done(lower),
        items_per_day=1.0,
    )
    items, status = outcome.items, outcome.status
    assert status.state == "partial" and status.reason is not None
    kept = [i.id for i in items]
    truth = [i.id for i in fake.items]
    assert len(set(kept)) == len(kept) and set(kept) < set(truth)
    assert kept == [i for i in truth if i in set(kept)]  # truth order, a gap in the middle
    assert all(
        not (plan[1][0] <= i.day <= broken) for i in items if i.day < TODAY - timedelta(days=99)
    )


async def test_a_damaged_record_read_by_two_windows_is_listed_once() -> None:
    # The first page (100 items, 2 a day) ends on a day the newest window reads again: a
    # damaged record of that day is served twice, and must be counted and listed once.
    days = [TODAY - timedelta(days=n // 2) for n in range(400)]
    boundary = sorted(days, reverse=True)[99]
    fake = _FakeList(days)
    on_boundary = [i.id for i in fake.items if i.day == boundary]
    elsewhere = fake.items[300].id
    fake.damaged = frozenset([*on_boundary, elsewhere])
    outcome = await fetch_history(
        fake.open,
        date_of=lambda item: item.day,
        from_date=None,
        to_date=None,
        start_hint=_done(min(days)),
        items_per_day=1.0,
    )
    served = [(lo, hi) for lo, hi, _ in fake.requests]
    windows = [(lo, hi) for lo, hi in served if hi is not None]
    assert (None, None) in served  # the first page...
    assert any((lo is None or lo <= boundary) and boundary <= hi for lo, hi in windows)
    assert sorted(r.id or "" for r in outcome.unreadable) == sorted(fake.damaged)
    assert outcome.status.unreadable == len(fake.damaged)
    assert [i.id for i in outcome.items] == [i.id for i in fake.items if i.id not in fake.damaged]


async def test_a_start_date_that_never_comes_falls_back_to_the_cursor_chain() -> None:
    days = [TODAY - timedelta(days=n // 2) for n in range(400)]
    fake = _FakeList(days)
    never: asyncio.Future[date | None] = asyncio.get_running_loop().create_future()
    outcome = await fetch_history(
        fake.open,
        date_of=lambda item: item.day,
        from_date=None,
        to_date=None,
        start_hint=never,
        items_per_day=1.0,
    )
    items = outcome.items
    assert [i.id for i in items] == [i.id for i in fake.items]
    assert {(lo, hi) for lo, hi, _ in fake.requests} == {(None, None)}
    never.cancel()


async def test_long_history_profile_equals_the_truth_and_uses_windows() -> None:
    config = SandboxConfig(seed=3, today=TODAY)
    truth = SandboxData(seed=3, today=TODAY).user("user_long_history")
    async with PayrollClient.sandbox(config) as client:
        profile = await client.get_profile("user_long_history")
        stats = client.sandbox_app.state.sandbox.stats
    for fetched, expected in zip(profile.accounts, truth.accounts, strict=True):
        stubs = [Paystub.model_validate_json(json.dumps(p)) for p in expected.paystubs]
        shifts = [Shift.model_validate_json(json.dumps(s)) for s in expected.shifts]
        assert fetched.paystubs == stubs
        assert fetched.shifts == shifts
        assert len(shifts) > 1000  # many pages' worth
        assert fetched.status["shifts"].state == "ok"
    assert profile.complete
    assert stats.requests["shifts"] >= 3


# -- windows planned from from_date, before any page --------------------------------------------


def test_a_range_is_split_into_adjacent_windows_open_at_the_top() -> None:
    start = TODAY - timedelta(days=999)
    windows = plan_range(from_date=start, to_date=None, today=TODAY, items_per_day=1.0)
    assert 1 < len(windows) <= MAX_WINDOWS
    assert windows[0][1] is None  # nothing dated after today is skipped
    assert windows[-1][0] == start
    for (lo, _), (_, hi) in itertools.pairwise(windows):
        assert hi is not None and lo is not None and hi == lo - timedelta(days=1)
    # Sparse lists and short ranges are not split.
    assert plan_range(from_date=start, to_date=None, today=TODAY, items_per_day=0.01) == [
        (start, None)
    ]
    short = TODAY - timedelta(days=30)
    assert plan_range(from_date=short, to_date=TODAY, today=TODAY, items_per_day=1.0) == [
        (short, TODAY)
    ]


async def test_with_from_date_every_window_is_requested_without_a_first_page() -> None:
    days = [TODAY - timedelta(days=n // 2) for n in range(1200)]  # 2 a day, 600 days
    fake = _FakeList(days)
    never: asyncio.Future[date | None] = asyncio.get_running_loop().create_future()
    start = TODAY - timedelta(days=599)
    outcome = await fetch_history(
        fake.open,
        date_of=lambda item: item.day,
        from_date=start,
        to_date=None,
        start_hint=never,  # not needed, not awaited
        items_per_day=1.0,
    )
    never.cancel()
    assert [i.id for i in outcome.items] == [i.id for i in fake.items]
    today = datetime.now(UTC).date()
    windows = plan_range(from_date=start, to_date=None, today=today, items_per_day=1.0)
    first_requests = [(lo, hi) for lo, hi, offset in fake.requests if offset == 0]
    assert first_requests == windows  # one round: each window's first page, all at once
    assert (start, None) not in first_requests
    assert outcome.status.state == "ok" and outcome.status.pages == len(fake.requests)


async def test_long_history_with_from_date_equals_the_truth() -> None:
    config = SandboxConfig(seed=3, today=TODAY)
    truth = SandboxData(seed=3, today=TODAY).user("user_long_history")
    start = min(
        [date.fromisoformat(s["end_date"]) for a in truth.accounts for s in a.shifts]
        + [date.fromisoformat(p["pay_date"]) for a in truth.accounts for p in a.paystubs]
    )
    async with PayrollClient.sandbox(config) as client:
        profile = await client.get_profile("user_long_history", from_date=start)
    for fetched, expected in zip(profile.accounts, truth.accounts, strict=True):
        assert [str(p.id) for p in fetched.paystubs] == [p["id"] for p in expected.paystubs]
        assert [str(s.id) for s in fetched.shifts] == [s["id"] for s in expected.shifts]
        assert fetched.status["shifts"].pages > 1
    assert profile.complete
