"""Real-world deviations, each through the resource methods and through ``get_profile``.

Each case damages one cell of an otherwise valid recorded-style page (the fixtures) and checks
that every record comes back, with its money exact, and that what cannot be read is reported.
The deviations are listed, with their treatment, in ``docs/data-quality.md``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import PayrollClient, Paystub

ACCOUNT = "5e1f7c2a-3b4d-4e8f-9a60-7d2c1b0e9f34"
END_USER = "user-8812"
Damage = Callable[[dict[str, Any]], None]


def _stub_page(load_fixture: Any) -> dict[str, Any]:
    page = load_fixture("paystubs_page.json")
    page["meta"]["next_cursor"] = None
    return page  # type: ignore[no-any-return]


def _serve_profile(
    api: respx.MockRouter,
    load_fixture: Any,
    paystubs: dict[str, Any],
    *,
    employment: dict[str, Any] | None = None,
) -> None:
    accounts = load_fixture("accounts_page.json")
    accounts["data"] = accounts["data"][:1]
    accounts["meta"]["next_cursor"] = None
    api.get(f"/end_users/{END_USER}/accounts").mock(return_value=httpx.Response(200, json=accounts))
    api.get(f"/accounts/{ACCOUNT}/paystubs").mock(return_value=httpx.Response(200, json=paystubs))
    shifts = load_fixture("shifts_page.json")
    for shift in shifts["data"]:
        shift["account_id"] = ACCOUNT
    api.get(f"/accounts/{ACCOUNT}/shifts").mock(return_value=httpx.Response(200, json=shifts))
    singles = {
        "income": load_fixture("income.json"),
        "identity": load_fixture("identity.json"),
        "employment": employment or load_fixture("employment.json"),
        "direct_deposit_allocations": load_fixture("direct_deposit_allocations.json"),
    }
    for name, body in singles.items():
        api.get(f"/accounts/{ACCOUNT}/{name}").mock(return_value=httpx.Response(200, json=body))


def _drop_pay_date(page: dict[str, Any]) -> None:
    del page["data"][0]["pay_date"]


def _unpadded_date(page: dict[str, Any]) -> None:
    page["data"][0]["pay_date"] = "2021-1-31"
    page["data"][0]["pay_period_end"] = "2021-1-9"


def _null_deduction_amount(page: dict[str, Any]) -> None:
    page["data"][0]["deductions"][0]["amount"] = None


def _empty_strings(page: dict[str, Any]) -> None:
    page["data"][0]["employer_name"] = ""
    page["data"][0]["pay_period_start"] = ""
    page["data"][0]["external_paystub_id"] = ""


def _null_amounts_and_lists(page: dict[str, Any]) -> None:
    page["data"][0]["gross_pay_amount"] = None
    page["data"][0]["taxes"] = None


def _unpadded_timestamp(page: dict[str, Any]) -> None:
    page["data"][0]["created_at"] = "2025-6-3T11:20:03.004512+00:00"


DEVIATIONS: dict[str, tuple[Damage, Callable[[Paystub], bool]]] = {
    "missing pay_date": (_drop_pay_date, lambda s: s.pay_date is None),
    "unpadded date": (_unpadded_date, lambda s: s.pay_date == date(2021, 1, 31)),
    "null deduction amount": (_null_deduction_amount, lambda s: s.deductions[0].amount is None),
    "empty strings": (
        _empty_strings,
        lambda s: s.employer_name is None and s.pay_period_start is None,
    ),
    "null amount and null list": (
        _null_amounts_and_lists,
        lambda s: s.gross_pay_amount is None and s.taxes == [],
    ),
    "unpadded timestamp": (_unpadded_timestamp, lambda s: s.created_at is not None),
}


def _money(stub: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(stub.get(k) for k in ("gross_pay_amount", "net_pay_amount", "total_taxes"))


@pytest.mark.parametrize("deviation", list(DEVIATIONS))
async def test_a_deviation_is_read_through_paystubs_list(
    deviation: str, client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    damage, check = DEVIATIONS[deviation]
    page = _stub_page(load_fixture)
    damage(page)
    api.get(f"/accounts/{ACCOUNT}/paystubs").mock(return_value=httpx.Response(200, json=page))
    pager = client.paystubs.list(ACCOUNT)
    stubs = await pager.to_list()
    assert [s.id for s in stubs] == [raw["id"] for raw in page["data"]]
    assert check(stubs[0])
    # The undamaged record's money is exactly as sent; a null amount stays None, never 0.
    assert _money(stubs[1].model_dump()) == _money(page["data"][1])
    assert pager.unreadable == []


@pytest.mark.parametrize("deviation", list(DEVIATIONS))
async def test_a_deviation_is_read_through_get_profile(
    deviation: str, client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    damage, check = DEVIATIONS[deviation]
    page = _stub_page(load_fixture)
    damage(page)
    _serve_profile(api, load_fixture, page)
    profile = await client.get_profile(END_USER)
    account = profile.accounts[0]
    assert account.status["paystubs"].state == "ok"
    assert profile.complete, profile.problems
    assert [s.id for s in account.paystubs] == [raw["id"] for raw in page["data"]]
    assert check(account.paystubs[0])


async def test_a_duplicated_record_comes_once(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    page = _stub_page(load_fixture)
    page["data"].append(copy.deepcopy(page["data"][0]))
    api.get(f"/accounts/{ACCOUNT}/paystubs").mock(return_value=httpx.Response(200, json=page))
    stubs = await client.paystubs.list(ACCOUNT).to_list()
    assert [s.id for s in stubs] == [raw["id"] for raw in page["data"][:2]]
    _serve_profile(api, load_fixture, page)
    profile = await client.get_profile(END_USER)
    assert [s.id for s in profile.accounts[0].paystubs] == [s.id for s in stubs]


async def test_a_misspelt_cursor_ends_the_list_and_says_so(
    client: PayrollClient,
    api: respx.MockRouter,
    load_fixture: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = load_fixture("paystubs_page.json")
    page["meta"]["next_curor"] = page["meta"].pop("next_cursor")
    route = api.get(f"/accounts/{ACCOUNT}/paystubs").mock(
        return_value=httpx.Response(200, json=page)
    )
    with caplog.at_level(logging.WARNING, logger="payroll_sdk"):
        stubs = await client.paystubs.list(ACCOUNT).to_list()
    assert len(stubs) == 2 and route.call_count == 1
    assert "no next_cursor (unknown meta keys: next_curor)" in caplog.text


async def test_a_cursor_of_the_wrong_type_ends_the_list_and_says_so(
    client: PayrollClient,
    api: respx.MockRouter,
    load_fixture: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = load_fixture("paystubs_page.json")
    page["meta"]["next_cursor"] = 2
    api.get(f"/accounts/{ACCOUNT}/paystubs").mock(return_value=httpx.Response(200, json=page))
    with caplog.at_level(logging.WARNING, logger="payroll_sdk"):
        stubs = await client.paystubs.list(ACCOUNT).to_list()
    assert len(stubs) == 2
    assert "meta.next_cursor is unusable" in caplog.text


async def test_a_null_employment_status_is_read(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    employment = load_fixture("employment.json")
    employment["data"]["status"] = None
    api.get(f"/accounts/{ACCOUNT}/employment").mock(
        return_value=httpx.Response(200, json=employment)
    )
    assert (await client.employment.get(ACCOUNT)).data.status is None
    _serve_profile(api, load_fixture, _stub_page(load_fixture), employment=employment)
    profile = await client.get_profile(END_USER)
    assert profile.accounts[0].employment is not None
    assert profile.accounts[0].status["employment"].state == "ok"
    assert profile.summary.employers[0].status is None


@pytest.mark.parametrize(
    "garbage",
    [
        "not a record",
        {"id": "stub-bad", "currency": "USD", "account_id": ACCOUNT, "gross_pay_amount": "12.50"},
        {"pay_date": "2025-01-01"},
    ],
    ids=["string", "quoted amount", "no id"],
)
async def test_an_unreadable_record_is_kept_raw_and_reported(
    garbage: Any, client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    page = _stub_page(load_fixture)
    page["data"].insert(1, garbage)
    api.get(f"/accounts/{ACCOUNT}/paystubs").mock(return_value=httpx.Response(200, json=page))
    pager = client.paystubs.list(ACCOUNT)
    stubs = await pager.to_list()
    assert [s.id for s in stubs] == [page["data"][0]["id"], page["data"][2]["id"]]
    assert [r.raw for r in pager.unreadable] == [garbage]

    _serve_profile(api, load_fixture, page)
    profile = await client.get_profile(END_USER)
    account = profile.accounts[0]
    status = account.status["paystubs"]
    assert status.state == "partial" and status.unreadable == 1
    assert status.reason is not None and status.reason.error == "UnreadableRecords"
    assert [s.id for s in account.paystubs] == [s.id for s in stubs]
    assert [r.raw for r in account.unreadable["paystubs"]] == [garbage]
    assert not profile.complete
    (problem,) = profile.problems
    assert (problem.resource, problem.state, problem.unreadable) == ("paystubs", "partial", 1)
    expected_ids = [garbage["id"]] if isinstance(garbage, dict) and "id" in garbage else []
    assert problem.unreadable_ids == expected_ids


async def test_an_unreadable_account_is_reported_not_dropped(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    _serve_profile(api, load_fixture, _stub_page(load_fixture))
    accounts = load_fixture("accounts_page.json")
    accounts["data"] = [accounts["data"][0], {"connected": True}]
    accounts["meta"]["next_cursor"] = None
    api.get(f"/end_users/{END_USER}/accounts").mock(return_value=httpx.Response(200, json=accounts))
    profile = await client.get_profile(END_USER)
    assert len(profile.accounts) == 1
    assert [r.raw for r in profile.unreadable_accounts] == [{"connected": True}]
    assert not profile.complete


def test_the_sync_pager_reports_unreadable_records(load_fixture: Any) -> None:
    from payroll_sdk import PayrollClientSync

    page = _stub_page(load_fixture)
    page["data"].append({"id": "stub-bad", "gross_pay_amount": 1.5})
    page["data"].append(copy.deepcopy(page["data"][0]))
    with respx.mock(base_url="https://api.test/v1", using="httpx") as router:
        router.get(f"/accounts/{ACCOUNT}/paystubs").mock(
            return_value=httpx.Response(200, json=page)
        )
        with PayrollClientSync(api_secret="sk_test_x", base_url="https://api.test/v1") as client:
            pager = client.paystubs.list(ACCOUNT)
            stubs = pager.to_list()
    assert [s.id for s in stubs] == [raw["id"] for raw in page["data"][:2]]
    assert [r.id for r in pager.unreadable] == ["stub-bad"]
