"""Cursor pagination: chaining, sizes, the null last cursor, order and filters."""

from __future__ import annotations

import httpx
import pytest

from .conftest import all_pages, first_account_id


@pytest.fixture
async def hourly_id(client: httpx.AsyncClient) -> str:
    return await first_account_id(client, "user_three_jobs", 1)


async def test_paystub_pages_chain_to_the_full_list(
    client: httpx.AsyncClient, hourly_id: str
) -> None:
    everything, _ = await all_pages(client, f"/accounts/{hourly_id}/paystubs", limit=100)
    items, bodies = await all_pages(client, f"/accounts/{hourly_id}/paystubs", limit=7)
    assert [p["id"] for p in items] == [p["id"] for p in everything]
    assert len(items) > 7 * 3
    assert all(b["meta"]["count"] == len(b["data"]) for b in bodies)
    assert all(b["meta"]["count"] == 7 for b in bodies[:-1])
    assert 1 <= bodies[-1]["meta"]["count"] <= 7
    assert bodies[-1]["meta"]["next_cursor"] is None
    assert all(isinstance(b["meta"]["next_cursor"], str) for b in bodies[:-1])
    assert all("refreshed_at" in b["meta"] for b in bodies)


async def test_default_limit_is_25(client: httpx.AsyncClient, hourly_id: str) -> None:
    body = (await client.get(f"/accounts/{hourly_id}/paystubs")).json()
    assert body["meta"]["count"] == 25


async def test_limit_bounds_are_accepted(client: httpx.AsyncClient, hourly_id: str) -> None:
    for limit in (1, 100):
        body = (await client.get(f"/accounts/{hourly_id}/shifts", params={"limit": limit})).json()
        assert body["meta"]["count"] == limit


async def test_newest_first_with_id_tiebreak(client: httpx.AsyncClient, hourly_id: str) -> None:
    paystubs, _ = await all_pages(client, f"/accounts/{hourly_id}/paystubs", limit=100)
    keys = [(p["pay_date"], p["id"]) for p in paystubs]
    assert keys == sorted(keys, reverse=True)
    shifts, _ = await all_pages(client, f"/accounts/{hourly_id}/shifts", limit=100)
    shift_keys = [(s["end_date"], s["id"]) for s in shifts]
    assert shift_keys == sorted(shift_keys, reverse=True)


async def test_paystub_date_filters_are_inclusive(
    client: httpx.AsyncClient, hourly_id: str
) -> None:
    everything, _ = await all_pages(client, f"/accounts/{hourly_id}/paystubs", limit=100)
    lo, hi = everything[10]["pay_date"], everything[3]["pay_date"]
    items, _ = await all_pages(
        client, f"/accounts/{hourly_id}/paystubs", limit=3, from_pay_date=lo, to_pay_date=hi
    )
    assert [p["id"] for p in items] == [p["id"] for p in everything[3:11]]


async def test_shift_filters_are_inclusive(client: httpx.AsyncClient, hourly_id: str) -> None:
    everything, _ = await all_pages(client, f"/accounts/{hourly_id}/shifts", limit=100)
    lo, hi = everything[20]["end_date"], everything[5]["end_date"]
    expected = [s["id"] for s in everything if lo <= s["end_date"] <= hi]
    items, _ = await all_pages(
        client, f"/accounts/{hourly_id}/shifts", limit=10, from_end_date=lo, to_end_date=hi
    )
    assert [s["id"] for s in items] == expected
    start = everything[8]["start_date"]
    items, _ = await all_pages(
        client, f"/accounts/{hourly_id}/shifts", from_start_date=start, to_start_date=start
    )
    assert items and all(s["start_date"] == start for s in items)


async def test_cursor_with_other_filters_is_rejected(
    client: httpx.AsyncClient, hourly_id: str
) -> None:
    first = (await client.get(f"/accounts/{hourly_id}/paystubs", params={"limit": 2})).json()
    cursor = first["meta"]["next_cursor"]
    ok = await client.get(f"/accounts/{hourly_id}/paystubs", params={"cursor": cursor})
    assert ok.status_code == 200  # the limit may change between pages
    response = await client.get(
        f"/accounts/{hourly_id}/paystubs",
        params={"cursor": cursor, "from_pay_date": "2025-01-01"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["name"] == "cursor"
    other = await client.get(f"/accounts/{hourly_id}/shifts", params={"cursor": cursor})
    assert other.status_code == 400


async def test_empty_lists(client: httpx.AsyncClient) -> None:
    body = (await client.get("/end_users/user_no_accounts/accounts")).json()
    assert body == {"data": [], "meta": {"count": 0, "next_cursor": None}}
    salaried = await first_account_id(client, "user_single")
    body = (await client.get(f"/accounts/{salaried}/shifts")).json()
    assert body["data"] == [] and body["meta"]["next_cursor"] is None


async def test_accounts_list_paginates(client: httpx.AsyncClient) -> None:
    items, bodies = await all_pages(client, "/end_users/user_three_jobs/accounts", limit=2)
    assert len(items) == 3 and len(bodies) == 2
    assert set(bodies[0]["meta"]) == {"count", "next_cursor"}


async def test_single_objects_have_only_the_documented_envelope(
    client: httpx.AsyncClient, hourly_id: str
) -> None:
    account = (await client.get(f"/accounts/{hourly_id}")).json()
    assert set(account) == {"data"}
    stubs = (await client.get(f"/accounts/{hourly_id}/paystubs", params={"limit": 1})).json()
    paystub = (await client.get(f"/accounts/{hourly_id}/paystubs/{stubs['data'][0]['id']}")).json()
    assert paystub == {"data": stubs["data"][0]}
    income = (await client.get(f"/accounts/{hourly_id}/income")).json()
    assert set(income) == {"data", "meta"} and set(income["meta"]) == {"refreshed_at"}
