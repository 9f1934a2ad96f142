"""Named end users whose data is shaped for a particular test situation.

Any end-user id not listed here is an ordinary generated user (0-3 accounts drawn from the
seed). The ids below are stable API: tests, docs and the README demo rely on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "DAMAGED_SCENARIOS",
    "SCENARIOS",
    "AccountOptions",
    "is_unknown_user",
    "scenario_accounts",
]

SCENARIOS: Mapping[str, str] = {
    "user_no_accounts": "An end user with no payroll accounts (an empty first page).",
    "user_single": "One complete salaried account (bi-weekly); last_four_ssn has a leading zero.",
    "user_three_jobs": "Three accounts: salaried, hourly (with shifts) and gig (rideshare shifts).",
    "user_missing_income": "One hourly account whose income is absent (404) and shifts empty.",
    "user_degraded": "Two disconnected accounts: monitoring degraded and user_action_required.",
    "user_long_history": "One hourly weekly account with 66 months of paystubs and shifts.",
    "user_new_fields": "Responses with unknown fields, unknown enum values and an extra top key.",
    "user_terminated": "One hourly account terminated 60 days ago: nothing after that date.",
    "user_flaky_income": "Income answers 503 twice per request key, then succeeds.",
    "user_broken_shifts": "Shifts: the first page is served, every later page answers 500.",
    "user_unknown": "Unknown end user: 404 RECORD_NOT_FOUND (so is any id starting unknown_).",
    "user_disconnected": "Connected false, monitoring unavailable, refreshed 3 days ago.",
    "user_long_unrefreshed": "Connected and monitored, but last refreshed 120 days ago.",
    # Real-world deviations (docs/data-quality.md), each alone, then all mixed.
    "user_missing_pay_date": "Some paystubs without pay_date, some shifts without end_date.",
    "user_unpadded_dates": "Dates without zero padding (2021-1-31) on some records.",
    "user_datetime_dates": "Timestamps where dates are expected (2021-01-31T08:00:00Z).",
    "user_null_amounts": "Null amounts (a line item's, check_amount) and a null pay_frequency.",
    "user_empty_strings": "Empty strings for missing values (employer_name, title, full_name...).",
    "user_string_hours": 'Hours sent as decimal strings ("40.00").',
    "user_duplicate_ids": "Some records sent twice in a row with the same id.",
    "user_null_status": "Employment status null and start_date missing.",
    "user_misspelt_cursor": "Page meta says next_curor; one page of paystubs, so nothing is lost.",
    "user_unreadable_record": 'Unreadable records (gross "1,234.56"; shift earnings a string).',
    "user_messy_data": "Two accounts (salaried and hourly) with every deviation above mixed.",
}


@dataclass(frozen=True)
class AccountOptions:
    """How a scenario shapes one account; the defaults describe an ordinary account.

    ``kind`` is ``salaried``, ``hourly`` or ``gig`` (None: drawn from the seed).
    ``missing`` names resources that do not exist for the account (the route answers 404).
    ``fault_script`` uses the ``X-Sandbox-Faults`` syntax and applies to every request for
    this account; ``fail_later_pages`` makes every list page after the first answer 500.
    """

    kind: str | None = None
    frequency: str | None = None
    monitoring_status: str | None = None
    connected: bool | None = None
    stale_days: int = 0
    missing: frozenset[str] = frozenset()
    empty_shifts: bool = False
    history_months: int | None = None
    terminated_days_ago: int | None = None
    force_employed: bool = False
    new_fields: bool = False
    fault_script: str | None = None
    fail_later_pages: frozenset[str] = frozenset()
    ssn_leading_zero: bool = False
    #: Real-world deviations served for this account (names of ``_damage.DEVIATIONS``).
    damage: frozenset[str] = frozenset()


_SCENARIO_ACCOUNTS: Mapping[str, tuple[AccountOptions, ...]] = {
    "user_no_accounts": (),
    "user_single": (
        AccountOptions(
            kind="salaried", frequency="bi-weekly", force_employed=True, ssn_leading_zero=True
        ),
    ),
    "user_three_jobs": (
        AccountOptions(kind="salaried", frequency="semi-monthly", force_employed=True),
        AccountOptions(kind="hourly", frequency="weekly", force_employed=True),
        AccountOptions(kind="gig", frequency="weekly", force_employed=True),
    ),
    "user_missing_income": (
        AccountOptions(
            kind="hourly",
            frequency="bi-weekly",
            force_employed=True,
            missing=frozenset({"income"}),
            empty_shifts=True,
        ),
    ),
    "user_degraded": (
        AccountOptions(
            kind="salaried",
            monitoring_status="degraded",
            connected=False,
            stale_days=21,
            force_employed=True,
        ),
        AccountOptions(
            kind="hourly",
            monitoring_status="user_action_required",
            connected=False,
            stale_days=45,
            force_employed=True,
        ),
    ),
    "user_long_history": (
        AccountOptions(kind="hourly", frequency="weekly", history_months=66, force_employed=True),
    ),
    "user_new_fields": (
        AccountOptions(kind="gig", frequency="weekly", force_employed=True, new_fields=True),
    ),
    "user_terminated": (AccountOptions(kind="hourly", frequency="weekly", terminated_days_ago=60),),
    "user_flaky_income": (
        AccountOptions(
            kind="salaried", frequency="monthly", force_employed=True, fault_script="income=503*2"
        ),
    ),
    "user_broken_shifts": (
        AccountOptions(
            kind="hourly",
            frequency="weekly",
            force_employed=True,
            fail_later_pages=frozenset({"shifts"}),
        ),
    ),
}


def _damaged(name: str, **options: object) -> tuple[AccountOptions, ...]:
    # Connected and monitored: the damage is the only thing wrong with these accounts.
    shape: dict[str, object] = {
        "kind": "hourly",
        "frequency": "weekly",
        "force_employed": True,
        "connected": True,
        "monitoring_status": "active",
    }
    return (AccountOptions(**(shape | options), damage=frozenset({name})),)  # type: ignore[arg-type]


_ALL_DAMAGE: frozenset[str] = frozenset(
    {
        "missing_pay_date",
        "unpadded_dates",
        "datetime_dates",
        "null_amounts",
        "empty_strings",
        "string_hours",
        "duplicate_ids",
        "null_status",
        "misspelt_cursor",
        "unreadable_record",
    }
)

_SCENARIO_ACCOUNTS = {
    **_SCENARIO_ACCOUNTS,
    "user_disconnected": (
        AccountOptions(
            kind="salaried",
            frequency="bi-weekly",
            force_employed=True,
            connected=False,
            monitoring_status="unavailable",
            stale_days=3,
        ),
    ),
    "user_long_unrefreshed": (
        AccountOptions(
            kind="hourly",
            frequency="bi-weekly",
            force_employed=True,
            connected=True,
            monitoring_status="active",
            stale_days=120,
        ),
    ),
    **{
        f"user_{name}": _damaged(name)
        for name in sorted(_ALL_DAMAGE - {"misspelt_cursor", "null_status"})
    },
    "user_null_status": _damaged("null_status", kind="salaried", frequency="semi-monthly"),
    # A monthly salary: one page of paystubs and no shifts, so ending the list loses nothing.
    "user_misspelt_cursor": _damaged("misspelt_cursor", kind="salaried", frequency="monthly"),
    "user_messy_data": (
        AccountOptions(
            kind="salaried",
            frequency="bi-weekly",
            force_employed=True,
            connected=True,
            monitoring_status="active",
            damage=_ALL_DAMAGE,
        ),
        AccountOptions(
            kind="hourly",
            frequency="weekly",
            force_employed=True,
            connected=True,
            monitoring_status="active",
            damage=_ALL_DAMAGE,
        ),
    ),
}

#: Scenario users whose data carries real-world damage (not comparable to tidy models).
DAMAGED_SCENARIOS: frozenset[str] = frozenset(
    user for user, shapes in _SCENARIO_ACCOUNTS.items() if any(s.damage for s in shapes)
)


def is_unknown_user(end_user_id: str) -> bool:
    """True for ids the sandbox answers 404 for (``user_unknown`` and ``unknown_*``)."""
    return end_user_id == "user_unknown" or end_user_id.startswith("unknown_")


def scenario_accounts(end_user_id: str) -> tuple[AccountOptions, ...] | None:
    """The account shapes of a named scenario user, or None for an ordinary user."""
    return _SCENARIO_ACCOUNTS.get(end_user_id)
