"""Bad ids, limits and dates are refused before any request is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll_sdk import InvalidInputError, PayrollClient
from payroll_sdk._validation import MAX_ID_LENGTH, check_date_range, check_limit, path_id, to_date

BAD_IDS: list[Any] = [
    "",
    "a" * (MAX_ID_LENGTH + 1),
    "acc/1",
    "../income",
    "acc?x=1",
    "acc#frag",
    "acc%2F1",
    "acc%00",
    "..",
    ".",
    "a..b",
    "acc 1",
    "acc\t1",
    "acc\n1",
    "acc1\n",
    "acc\r1",
    "acc\x00",
    "acc\x1b[31m",
    "acc\x7f",
    "accé",
    "acc\u200b",
    "\u0430cc",  # a Cyrillic a
    "acc\\1",
    "acc;1",
    "acc&1",
    None,
    123,
    b"acc_1",
    ["acc_1"],
]


def _id_label(value: Any) -> str:
    return repr(value)[:20]


def _calls_taking_an_id(client: PayrollClient, bad: Any) -> list[Callable[[], object]]:
    """Each resource method, with ``bad`` as one of its ids (the others valid)."""
    return [
        lambda: client.accounts.get(bad),
        lambda: client.accounts.list_for_end_user(bad),
        lambda: client.paystubs.list(bad),
        lambda: client.paystubs.get(bad, "stub_1"),
        lambda: client.paystubs.get("acc_1", bad),
        lambda: client.shifts.list(bad),
        lambda: client.income.get(bad),
        lambda: client.identity.get(bad),
        lambda: client.employment.get(bad),
        lambda: client.direct_deposit_allocations.get(bad),
    ]


async def _call(make: Callable[[], object]) -> None:
    result = make()
    if isinstance(result, Awaitable):
        await result


@pytest.mark.parametrize("bad", BAD_IDS, ids=_id_label)
async def test_bad_ids_are_refused_before_any_request(
    bad: Any, client: PayrollClient, api: respx.MockRouter
) -> None:
    for make in _calls_taking_an_id(client, bad):
        with pytest.raises(InvalidInputError) as info:
            await _call(make)
        assert isinstance(info.value, ValueError)
    assert api.calls.call_count == 0


def test_messages_do_not_echo_a_whole_id() -> None:
    long_id = "customer-private-" + "z" * 40 + "/"
    with pytest.raises(InvalidInputError) as info:
        path_id(long_id, "account_id")
    assert long_id not in str(info.value)
    assert "account_id" in str(info.value)


@pytest.mark.parametrize(
    "good",
    [
        "acc_1",
        "5e1f7c2a-3b4d-4e8f-9a60-7d2c1b0e9f34",
        "user@example.com",
        "org:user",
        "a.b~c",
        "x" * 128,
        "a+b=c",
    ],
)
def test_good_ids_are_accepted_and_escaped(good: str) -> None:
    escaped = path_id(good, "end_user_id")
    assert "/" not in escaped
    assert unquote(escaped) == good


@pytest.mark.parametrize("bad", [0, 101, -1, True, False, "10", 10.0, 1.5])
async def test_bad_limits_are_refused_before_any_request(
    bad: Any, client: PayrollClient, api: respx.MockRouter
) -> None:
    for make in (
        lambda: client.accounts.list_for_end_user("user_1", limit=bad),
        lambda: client.paystubs.list("acc_1", limit=bad),
        lambda: client.shifts.list("acc_1", limit=bad),
    ):
        with pytest.raises(InvalidInputError):
            make()
    assert api.calls.call_count == 0


@pytest.mark.parametrize("good", [None, 1, 25, 100])
def test_good_limits(good: int | None) -> None:
    assert check_limit(good) == good


@pytest.mark.parametrize(
    "kwargs",
    [
        {"from_pay_date": "2025-06-01", "to_pay_date": "2025-05-01"},
        {"from_pay_date": date(2025, 6, 2), "to_pay_date": date(2025, 6, 1)},
        {"from_pay_date": datetime(2025, 6, 1, 12, 0)},  # naive
        {"to_pay_date": "2025-13-01"},
        {"to_pay_date": "June 1st"},
        {"to_pay_date": "2025-06-01T00:00:00"},
        {"to_pay_date": ""},
        {"from_pay_date": 20250601},
    ],
)
async def test_bad_paystub_dates_are_refused(
    kwargs: dict[str, Any], client: PayrollClient, api: respx.MockRouter
) -> None:
    with pytest.raises(InvalidInputError):
        client.paystubs.list("acc_1", **kwargs)
    assert api.calls.call_count == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"from_start_date": "2025-06-02", "to_start_date": "2025-06-01"},
        {"from_end_date": "2025-06-02", "to_end_date": "2025-06-01"},
        {"to_end_date": datetime(2025, 6, 1)},
        {"from_start_date": "yesterday"},
    ],
)
async def test_bad_shift_dates_are_refused(
    kwargs: dict[str, Any], client: PayrollClient, api: respx.MockRouter
) -> None:
    with pytest.raises(InvalidInputError):
        client.shifts.list("acc_1", **kwargs)
    assert api.calls.call_count == 0


def test_start_and_end_of_different_ranges_are_independent() -> None:
    # from_start_date after to_end_date is odd but not a range in the wrong order.
    assert check_date_range("2025-06-01", "2025-06-01", "a", "b") == (
        date(2025, 6, 1),
        date(2025, 6, 1),
    )


def test_to_date_forms() -> None:
    assert to_date(None, "d") is None
    assert to_date("2025-06-13", "d") == date(2025, 6, 13)
    assert to_date(date(2025, 6, 13), "d") == date(2025, 6, 13)
    aware = datetime(2025, 6, 13, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert to_date(aware, "d") == date(2025, 6, 14)  # its UTC date
    assert to_date(datetime(2025, 6, 13, 1, tzinfo=UTC), "d") == date(2025, 6, 13)


# -- arbitrary ids ----------------------------------------------------------------------------

_BASE = "https://fuzz.test/v1"


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(account_id=st.one_of(st.text(max_size=140), st.from_regex(r"[A-Za-z0-9._~@:+=%/?#-]{1,20}")))
def test_arbitrary_ids_are_accepted_safely_or_refused(
    account_id: str, fuzz_client: tuple[asyncio.Runner, PayrollClient, respx.Route]
) -> None:
    runner, client, route = fuzz_client
    before = route.call_count
    try:
        runner.run(client.income.get(account_id))
    except InvalidInputError:
        assert route.call_count == before
        return
    assert route.call_count == before + 1
    url = route.calls.last.request.url
    segments = url.raw_path.decode("ascii").split("/")
    # Exactly /v1/accounts/<one segment>/income: nothing in the id escapes its segment.
    assert segments[:3] == ["", "v1", "accounts"]
    assert segments[4:] == ["income"]
    assert len(segments) == 5
    assert unquote(segments[3]) == account_id
    assert not url.query
    assert not url.fragment


@pytest.fixture
def fuzz_client(load_fixture: Any, secret: str) -> Any:
    body = load_fixture("income.json")
    with asyncio.Runner() as runner, respx.mock(base_url=_BASE, using="httpx") as router:
        route = router.route(host="fuzz.test").mock(return_value=httpx.Response(200, json=body))
        client = PayrollClient(api_secret=secret, base_url=_BASE, max_retries=0)
        try:
            yield runner, client, route
        finally:
            runner.run(client.aclose())
