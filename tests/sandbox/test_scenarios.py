"""The named scenario users behave as documented."""

from __future__ import annotations

import httpx

from payroll_sdk.sandbox import SCENARIOS

from .conftest import all_pages, first_account_id


async def accounts_of(client: httpx.AsyncClient, user: str) -> list[dict[str, object]]:
    body = (await client.get(f"/end_users/{user}/accounts")).json()
    data: list[dict[str, object]] = body["data"]
    return data


def test_scenarios_are_documented() -> None:
    assert {"user_no_accounts", "user_single", "user_three_jobs", "user_missing_income",
            "user_degraded", "user_long_history", "user_new_fields", "user_unknown",
            "user_flaky_income", "user_broken_shifts"} <= set(SCENARIOS)  # fmt: skip
    assert all(isinstance(v, str) and v for v in SCENARIOS.values())


async def test_single_is_complete(client: httpx.AsyncClient) -> None:
    (account,) = await accounts_of(client, "user_single")
    base = f"/accounts/{account['id']}"
    for name in ("income", "identity", "employment", "direct_deposit_allocations"):
        assert (await client.get(f"{base}/{name}")).status_code == 200
    identity = (await client.get(f"{base}/identity")).json()["data"]
    assert identity["last_four_ssn"].startswith("0")
    income = (await client.get(f"{base}/income")).json()["data"]
    assert income["compensation_unit"] == "annually"


async def test_three_jobs_are_salaried_hourly_gig(client: httpx.AsyncClient) -> None:
    accounts = await accounts_of(client, "user_three_jobs")
    units, shift_types = [], []
    for account in accounts:
        base = f"/accounts/{account['id']}"
        units.append((await client.get(f"{base}/income")).json()["data"]["compensation_unit"])
        shifts = (await client.get(f"{base}/shifts", params={"limit": 1})).json()["data"]
        shift_types.append(shifts[0]["type"] if shifts else None)
    assert units == ["annually", "hourly", "variable"]
    assert shift_types == [None, "shift", "rideshare"] or shift_types[2] == "delivery"


async def test_missing_income(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_missing_income")
    response = await client.get(f"/accounts/{account_id}/income")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "RECORD_NOT_FOUND"
    shifts = (await client.get(f"/accounts/{account_id}/shifts")).json()
    assert shifts["data"] == [] and shifts["meta"]["next_cursor"] is None
    account = (await client.get(f"/accounts/{account_id}")).json()["data"]
    assert "income" not in account["data_refreshed_at"]


async def test_degraded(client: httpx.AsyncClient) -> None:
    accounts = await accounts_of(client, "user_degraded")
    statuses = {a["monitoring_status"] for a in accounts}
    assert statuses == {"degraded", "user_action_required"}
    assert all(a["connected"] is False for a in accounts)


async def test_long_history_spans_many_pages(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_long_history")
    paystubs, bodies = await all_pages(client, f"/accounts/{account_id}/paystubs", limit=100)
    assert len(bodies) >= 3
    assert paystubs[-1]["pay_date"] < "2021-04-01"  # 66 months before 2026-03-15
    assert len({p["pay_date"][:4] for p in paystubs}) >= 6


async def test_new_fields(client: httpx.AsyncClient) -> None:
    body = (await client.get("/end_users/user_new_fields/accounts")).json()
    assert "sandbox_notice" in body
    account = body["data"][0]
    assert account["monitoring_status"] == "paused_by_platform"
    assert "platform_name" in account
    stubs, _ = await all_pages(client, f"/accounts/{account['id']}/paystubs", limit=100)
    categories = {e["category"] for p in stubs for e in p["earnings"]}
    assert "gig_bonus" in categories
    assert all("pay_statement_format" in p for p in stubs)


async def test_terminated(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_terminated")
    employment = (await client.get(f"/accounts/{account_id}/employment")).json()["data"]
    assert employment["status"] == "terminated"
    stubs, _ = await all_pages(client, f"/accounts/{account_id}/paystubs", limit=100)
    assert stubs and all(p["pay_date"] <= employment["termination_date"] for p in stubs)


async def test_flaky_income_fails_twice_then_succeeds(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_flaky_income")
    statuses = [(await client.get(f"/accounts/{account_id}/income")).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    other_key = await client.get(f"/accounts/{account_id}/income", params={"x": "1"})
    assert other_key.status_code == 503  # counted per request key


async def test_broken_shifts_serve_page_one_only(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_broken_shifts")
    first = await client.get(f"/accounts/{account_id}/shifts", params={"limit": 10})
    assert first.status_code == 200 and first.json()["meta"]["count"] == 10
    cursor = first.json()["meta"]["next_cursor"]
    for _ in range(2):
        response = await client.get(
            f"/accounts/{account_id}/shifts", params={"limit": 10, "cursor": cursor}
        )
        assert response.status_code == 500
    paystubs = await client.get(f"/accounts/{account_id}/paystubs", params={"limit": 1})
    assert paystubs.status_code == 200
