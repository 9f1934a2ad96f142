"""The damaged scenario users: every record comes back, read or reported, money exact.

Checked through the resource methods (``paystubs.list``, ``shifts.list``) and through
``get_profile`` against the sandbox's ground truth: the served (damaged) records and the
undamaged ones they came from.
"""

from __future__ import annotations

from typing import Any

import pytest

from payroll_sdk import PayrollClient
from payroll_sdk.sandbox import DAMAGED_SCENARIOS, SandboxConfig, SandboxData
from payroll_sdk.sandbox._damage import DEVIATIONS

CONFIG = SandboxConfig(seed=5)
MONEY = ("gross_pay_amount", "net_pay_amount", "total_taxes", "total_deductions")


def _truth(user: str) -> Any:
    return SandboxData(seed=CONFIG.seed, today=CONFIG.today).user(user)


def _check_list(got: list[Any], unreadable: list[Any], served: list[tuple[dict, dict]]) -> None:
    """Every served id is read or reported, once; read money equals what was sent."""
    expected_ids = {s["id"] for s, _ in served}
    read_ids = [item.id for item in got]
    assert len(read_ids) == len(set(read_ids))  # duplicates come once
    reported = {r.id for r in unreadable}
    assert set(read_ids) | reported == expected_ids
    assert not set(read_ids) & reported
    by_id = {s["id"]: s for s, _ in served}
    for item in got:
        sent = by_id[item.id]
        for field in MONEY:
            if field in sent:
                value = getattr(item, field)
                # Never invented: a null stays None, an integer is kept to the cent.
                assert value == sent[field], (item.id, field)


def test_every_deviation_has_its_own_scenario_user() -> None:
    alone = {u.removeprefix("user_") for u in DAMAGED_SCENARIOS} & set(DEVIATIONS)
    assert alone == set(DEVIATIONS)
    assert "user_messy_data" in DAMAGED_SCENARIOS


@pytest.mark.parametrize("user", sorted(DAMAGED_SCENARIOS))
async def test_through_the_resource_methods(user: str) -> None:
    truth = _truth(user)
    async with PayrollClient.sandbox(CONFIG) as client:
        # As with the real API, account ids are handed out by the end user's listing.
        listed = await client.accounts.list_for_end_user(user).to_list()
        assert [a.id for a in listed] == [a.account_id for a in truth.accounts]
        for account in truth.accounts:
            stubs = client.paystubs.list(account.account_id)
            _check_list(await stubs.to_list(), stubs.unreadable, _whole(account, "paystubs"))
            shifts = client.shifts.list(account.account_id)
            _check_list(await shifts.to_list(), shifts.unreadable, _whole(account, "shifts"))
            employment = (await client.employment.get(account.account_id)).data
            assert employment.id == account.employment["id"]


@pytest.mark.parametrize("user", sorted(DAMAGED_SCENARIOS))
async def test_through_get_profile(user: str) -> None:
    truth = _truth(user)
    async with PayrollClient.sandbox(CONFIG) as client:
        profile = await client.get_profile(user)
    for got, want in zip(profile.accounts, truth.accounts, strict=True):
        damage = want.options.damage
        for name in ("paystubs", "shifts"):
            _check_list(getattr(got, name), got.unreadable.get(name, []), _whole(want, name))
            expected = "partial" if got.unreadable.get(name) else "ok"
            assert got.status[name].state == expected, (name, got.status[name])
        for name in ("income", "identity", "employment", "direct_deposit_allocations"):
            assert got.status[name].state == "ok", name
        assert got.freshness is not None and got.freshness.is_fresh
        if "unreadable_record" not in damage:
            assert not got.unreadable
    assert profile.complete == all(
        "unreadable_record" not in a.options.damage for a in truth.accounts
    )
    # The summary survives the holes and says what it left out.
    assert profile.summary.employers


def _whole(account: Any, name: str) -> list[tuple[dict, dict]]:
    """What the client can see: a misspelt cursor ends the list after its first page."""
    served: list[tuple[dict, dict]] = getattr(account, f"served_{name}")
    if "misspelt_cursor" in account.options.damage:
        return served[:100]
    return served


async def test_a_damaged_record_is_read_with_none_where_the_value_was_missing() -> None:
    truth = _truth("user_missing_pay_date")
    async with PayrollClient.sandbox(CONFIG) as client:
        profile = await client.get_profile("user_missing_pay_date")
    undated = [p for p in profile.accounts[0].paystubs if p.pay_date is None]
    served_undated = [s for s, _ in truth.accounts[0].served_paystubs if "pay_date" not in s]
    assert len(undated) == len(served_undated) > 0
    employer = profile.summary.employers[0]
    assert employer.paystubs_without_date == len(undated)
    assert any("without a pay date" in note for note in employer.notes)


async def test_get_profiles_reads_every_damaged_user() -> None:
    users = sorted(DAMAGED_SCENARIOS)
    async with PayrollClient.sandbox(CONFIG) as client:
        results = [r async for r in client.get_profiles(users, concurrency=4)]
    assert sorted(r.end_user_id for r in results) == users
    for result in results:
        assert result.profile is not None, result.error
        unreadable = sum(len(v) for a in result.profile.accounts for v in a.unreadable.values())
        damaged_unreadable = result.end_user_id in ("user_unreadable_record", "user_messy_data")
        assert (unreadable > 0) == damaged_unreadable
        assert result.profile.complete == (not damaged_unreadable)


def test_the_sync_client_reads_a_damaged_user() -> None:
    from payroll_sdk import PayrollClientSync

    with PayrollClientSync.sandbox(CONFIG) as client:
        profile = client.get_profile("user_messy_data")
        account_id = profile.accounts[1].account.id
        pager = client.paystubs.list(account_id)
        stubs = pager.to_list()
    assert stubs and pager.unreadable
    assert {s.id for s in stubs} == {s.id for s in profile.accounts[1].paystubs}
