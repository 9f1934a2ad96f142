"""Bad arguments to ``get_profile`` / ``get_profiles`` fail with ``InvalidInputError`` before
any request: the in-process sandbox must see zero requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from payroll_sdk import InvalidInputError, PayrollClient
from payroll_sdk.sandbox import Sandbox, SandboxConfig

BAD_IDS: list[Any] = ["", "../etc", "a/b", "x y", "id?x=1", "a" * 300, 123, None, b"user"]
BAD_INCLUDES: list[Any] = ["paystubs", ["paystubs", "payslips"], ["PAYSTUBS"]]
BAD_RANGES: list[dict[str, Any]] = [
    {"from_date": date(2026, 3, 1), "to_date": date(2026, 1, 1)},  # reversed
    {"from_date": "2026-03-01", "to_date": "2026-01-01"},  # reversed, as strings
    {"from_date": datetime(2026, 1, 1, 12, 0)},  # naive datetime: which day is it?
    {"to_date": datetime(2026, 1, 1)},
    {"from_date": "2026-13-01"},
    {"from_date": "01/02/2026"},
    {"to_date": 20260101},
]


@pytest.fixture
async def client() -> AsyncIterator[PayrollClient]:
    async with PayrollClient.sandbox(SandboxConfig(today=date(2026, 3, 15))) as built:
        yield built


def requests_seen(client: PayrollClient) -> int:
    sandbox: Sandbox = client.sandbox_app.state.sandbox
    return sandbox.stats.total


@pytest.mark.parametrize("end_user_id", BAD_IDS)
async def test_get_profile_rejects_bad_ids(client: PayrollClient, end_user_id: Any) -> None:
    with pytest.raises(InvalidInputError, match="end_user_id"):
        await client.get_profile(end_user_id)
    assert requests_seen(client) == 0


@pytest.mark.parametrize("include", BAD_INCLUDES)
async def test_get_profile_rejects_bad_include(client: PayrollClient, include: Any) -> None:
    with pytest.raises(InvalidInputError, match="include"):
        await client.get_profile("user_single", include=include)
    assert requests_seen(client) == 0


@pytest.mark.parametrize("dates", BAD_RANGES)
async def test_get_profile_rejects_bad_date_ranges(
    client: PayrollClient, dates: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError, match="_date"):
        await client.get_profile("user_single", **dates)
    assert requests_seen(client) == 0


async def test_an_aware_datetime_is_accepted(client: PayrollClient) -> None:
    """The counterpart of the naive case: an aware datetime is a known day, so it is sent."""
    profile = await client.get_profile(
        "user_single", include=["paystubs"], from_date=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert profile.complete
    assert all(p.pay_date >= date(2026, 1, 1) for a in profile.accounts for p in a.paystubs)
    assert requests_seen(client) > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"include": "paystubs"},
        {"include": ["nope"]},
        {"concurrency": 0},
        {"concurrency": True},
        {"concurrency": 2.5},
        *BAD_RANGES,
    ],
)
async def test_get_profiles_rejects_bad_arguments_before_any_request(
    client: PayrollClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        async for _ in client.get_profiles(["user_single", "user_three_jobs"], **kwargs):
            pass
    assert requests_seen(client) == 0


async def test_get_profiles_reports_a_bad_id_as_that_users_error(client: PayrollClient) -> None:
    """One malformed id does not sink the batch: it is that user's InvalidInputError, sent
    nowhere, while the other users are fetched."""
    results = {r.end_user_id: r async for r in client.get_profiles(["a/b", "user_single"])}
    assert isinstance(results["a/b"].error, InvalidInputError)
    assert results["user_single"].profile is not None
    accounts = client.sandbox_app.state.sandbox.stats.requests["accounts"]
    assert accounts == 1  # only user_single's listing
