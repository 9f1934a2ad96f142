"""Named end users whose data is shaped for a particular test situation.

Any end-user id not listed here is an ordinary generated user (0-3 accounts drawn from the
seed). The ids below are stable API: tests, docs and the README demo rely on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SCENARIOS", "AccountOptions", "is_unknown_user", "scenario_accounts"]

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


def is_unknown_user(end_user_id: str) -> bool:
    """True for ids the sandbox answers 404 for (``user_unknown`` and ``unknown_*``)."""
    return end_user_id == "user_unknown" or end_user_id.startswith("unknown_")


def scenario_accounts(end_user_id: str) -> tuple[AccountOptions, ...] | None:
    """The account shapes of a named scenario user, or None for an ordinary user."""
    return _SCENARIO_ACCOUNTS.get(end_user_id)
