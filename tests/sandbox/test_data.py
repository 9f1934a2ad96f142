"""Ground truth: determinism, realism and internal consistency of the generated data."""

from __future__ import annotations

import itertools
import random
import re
import uuid
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest

from payroll_sdk.sandbox import AccountTruth, SandboxData
from payroll_sdk.sandbox._calendar import new_uuid

from .conftest import TODAY

PERIODS = {"weekly": 52, "bi-weekly": 26, "semi-monthly": 24, "monthly": 12}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$")


def ordinary_accounts(data: SandboxData, users: int) -> list[AccountTruth]:
    return [a for i in range(users) for a in data.user(f"person-{i}").accounts]


@pytest.fixture(scope="module")
def accounts() -> list[AccountTruth]:
    return ordinary_accounts(SandboxData(seed=11, today=TODAY), 120)


def test_same_seed_same_data_other_seed_other_data() -> None:
    one, two = SandboxData(seed=5, today=TODAY), SandboxData(seed=5, today=TODAY)
    three = SandboxData(seed=6, today=TODAY)
    for user in ("person-1", "person-2", "user_three_jobs"):
        a, b, c = one.user(user), two.user(user), three.user(user)
        assert [x.account for x in a.accounts] == [x.account for x in b.accounts]
        assert [x.paystubs for x in a.accounts] == [x.paystubs for x in b.accounts]
        assert [x.shifts for x in a.accounts] == [x.shifts for x in b.accounts]
        assert [x.account["id"] for x in a.accounts] != [x.account["id"] for x in c.accounts]


def test_generation_order_does_not_change_values() -> None:
    one, two = SandboxData(seed=5, today=TODAY), SandboxData(seed=5, today=TODAY)
    a = one.user("user_three_jobs").accounts[1]
    b = two.user("user_three_jobs").accounts[1]
    first = (a.income, a.shifts, a.paystubs, a.identity)
    b_paystubs, b_identity, b_income, b_shifts = b.paystubs, b.identity, b.income, b.shifts
    assert first == (b_income, b_shifts, b_paystubs, b_identity)


def test_account_count_distribution(accounts: list[AccountTruth]) -> None:
    data = SandboxData(seed=11, today=TODAY)
    counts = [len(data.user(f"person-{i}").accounts) for i in range(120)]
    assert set(counts) <= {0, 1, 2, 3} and {0, 1, 2, 3} <= set(counts)
    assert counts.count(1) > counts.count(3)


def test_account_ids_map_back_to_users() -> None:
    data = SandboxData(seed=1, today=TODAY)
    assert data.account("8c7e3a51-6f0e-4c1b-9d52-0c6f3b0f2f11") is None
    truth = data.user("user_three_jobs")
    for account in truth.accounts:
        assert data.account(account.account_id) is account
        assert account.account["end_user_id"] == "user_three_jobs"


def test_paystub_totals_add_up(accounts: list[AccountTruth]) -> None:
    checked = 0
    for account in accounts:
        for p in account.paystubs:
            assert p["gross_pay_amount"] == sum(e["amount"] for e in p["earnings"])
            assert p["total_taxes"] == sum(t["amount"] for t in p["taxes"])
            assert p["total_deductions"] == sum(d["amount"] for d in p["deductions"])
            assert p["net_pay_amount"] == (
                p["gross_pay_amount"]
                - p["total_taxes"]
                - p["total_deductions"]
                + p["total_reimbursements"]
            )
            assert p["check_amount"] == p["net_pay_amount"] >= 0
            assert all(isinstance(p[k], int) for k in ("gross_pay_amount", "net_pay_ytd"))
            checked += 1
    assert checked > 1000


def test_fica_rates(accounts: list[AccountTruth]) -> None:
    checked: Counter[str] = Counter()
    for account in accounts:
        unit = account.income["compensation_unit"] if account.income else None
        for p in account.paystubs:
            taxes = {t["category"]: t["amount"] for t in p["taxes"]}
            if "social_security" in taxes:
                assert taxes["social_security"] == round(p["gross_pay_amount"] * 0.062)
                assert taxes["medicare"] == round(p["gross_pay_amount"] * 0.0145)
                checked["taxed"] += 1
            else:
                # Only gig work (paid as contractors) goes without FICA withholding.
                assert unit == "variable"
                checked["untaxed"] += 1
    # Counted so that a change in the data cannot leave the loop checking nothing.
    assert checked["taxed"] > 1000 and checked["untaxed"] > 100


def test_year_to_date_adds_up_and_resets_each_january(accounts: list[AccountTruth]) -> None:
    resets = 0
    for account in accounts:
        chronological = list(reversed(account.paystubs))
        for previous, current in itertools.pairwise(chronological):
            if previous["pay_date"][:4] == current["pay_date"][:4]:
                assert (
                    current["gross_pay_ytd"]
                    == previous["gross_pay_ytd"] + current["gross_pay_amount"]
                )
                assert current["net_pay_ytd"] == previous["net_pay_ytd"] + current["net_pay_amount"]
            else:
                assert current["gross_pay_ytd"] == current["gross_pay_amount"]
                assert current["net_pay_ytd"] == current["net_pay_amount"]
                resets += 1
    assert resets > 50


def test_income_matches_paystubs(accounts: list[AccountTruth]) -> None:
    checked: Counter[str] = Counter()
    for account in accounts:
        income = account.income
        assert income is not None
        assert income["pay_frequency"] in PERIODS
        unit = income["compensation_unit"]
        assert unit in ("annually", "hourly", "variable")
        for p in account.paystubs:
            if unit == "annually":
                salary = [e for e in p["earnings"] if e["category"] == "salary"]
                periods = PERIODS[income["pay_frequency"]]
                assert abs(salary[0]["amount"] * periods - income["compensation_amount"]) <= periods
            elif unit == "hourly":
                rates = {e["rate"] for e in p["earnings"] if e["category"] == "hourly"}
                assert rates == {income["compensation_amount"]}
            checked[unit] += 1
    # Paystubs of each kind were compared, not only accounts of each kind seen.
    assert checked["annually"] > 500 and checked["hourly"] > 500 and checked["variable"] > 100


def test_hourly_paystub_hours_are_the_period_shift_hours(accounts: list[AccountTruth]) -> None:
    checked = 0
    for account in accounts:
        if account.income is None or account.income["compensation_unit"] != "hourly":
            continue
        window = min(s["start_date"] for s in account.shifts) if account.shifts else None
        for p in account.paystubs:
            if window is None or p["pay_period_start"] <= window:
                continue  # the period started before the served shift history
            hours = sum(
                e["hours"] for e in p["earnings"] if e["category"] in ("hourly", "overtime")
            )
            shift_hours = sum(
                s["earnings"][0]["hours"]
                for s in account.shifts
                if p["pay_period_start"] <= s["start_date"] <= p["pay_period_end"]
            )
            assert hours == pytest.approx(shift_hours)
            checked += 1
    assert checked > 100


def test_nothing_in_the_future_or_after_termination(accounts: list[AccountTruth]) -> None:
    terminated = 0
    for account in accounts:
        employment = account.employment
        assert employment is not None
        limit = TODAY.isoformat()
        if employment["status"] == "terminated":
            terminated += 1
            limit = employment["termination_date"]
        else:
            assert "termination_date" not in employment
        assert all(p["pay_date"] <= limit for p in account.paystubs)
        assert all(s["end_date"] <= limit for s in account.shifts)
        assert all(p["pay_date"] >= employment["start_date"] for p in account.paystubs)
    assert terminated > 0


def test_formats(accounts: list[AccountTruth]) -> None:
    for account in accounts[:40]:
        identity = account.identity
        assert identity is not None
        assert re.fullmatch(r"\d{4}", identity["last_four_ssn"])
        assert all(re.fullmatch(r"\+1\d{10}", p["value"]) for p in identity["phone_numbers"])
        assert re.fullmatch(r"\d{5}", identity["address"]["postal_code"])
        date.fromisoformat(identity["date_of_birth"])
        for value in (account.account["created_at"], *account.refreshed_at.values()):
            assert TIMESTAMP.match(value)
        for shift in account.shifts[:20]:
            for stamp in shift["timestamps"]:
                assert TIMESTAMP.match(stamp["from"]) and TIMESTAMP.match(stamp["to"])
                assert datetime.fromisoformat(stamp["from"]) < datetime.fromisoformat(stamp["to"])
        dda = account.direct_deposit_allocations
        assert dda is not None
        allocations: list[dict[str, Any]] = dda["allocations"]
        assert allocations[-1]["allocation_type"] == "remainder"
        assert [a["priority"] for a in allocations] == list(range(1, len(allocations) + 1))
        for allocation in allocations:
            assert re.fullmatch(r"\d{4}", allocation["masked_account_number"])
            assert re.fullmatch(r"\d{9}", allocation["routing_number"])
            assert ("amount" in allocation) == (allocation["allocation_type"] == "amount")


def test_salaried_accounts_have_no_shifts(accounts: list[AccountTruth]) -> None:
    salaried = [a for a in accounts if a.income and a.income["compensation_unit"] == "annually"]
    assert len(salaried) > 20  # the check below must have something to check
    assert [a.account_id for a in salaried if a.shifts] == []
    # ... and it is specific to them: the hourly accounts do have shifts.
    assert any(a.shifts for a in accounts if a.income and a.income["compensation_unit"] == "hourly")


def test_history_months_bounds_the_history() -> None:
    short = SandboxData(seed=2, history_months=3, today=TODAY)
    for account in ordinary_accounts(short, 20):
        assert all(p["pay_date"] >= "2025-12-15" for p in account.paystubs)


def test_default_history_is_about_two_years() -> None:
    data = SandboxData(seed=3, today=TODAY)
    sizes = [len(a.paystubs) for a in ordinary_accounts(data, 60)]
    assert 100 <= max(sizes) <= 52 * 2 + 2  # weekly payers: two years of Fridays


def test_record_ids_are_the_uuid4_strings_the_stdlib_makes_of_the_same_draws() -> None:
    ours, stdlib = random.Random(7), random.Random(7)
    for _ in range(20_000):
        assert new_uuid(ours) == str(uuid.UUID(int=stdlib.getrandbits(128), version=4))
