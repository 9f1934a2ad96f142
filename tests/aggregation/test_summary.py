"""summarize(): every figure of the profile summary, from hand-written account data."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from payroll_sdk.aggregation._summary import (
    divide_half_even,
    infer_pay_frequency,
    shift_hours,
    summarize,
    whole_months_between,
)
from payroll_sdk.models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    Money,
    PayrollAccount,
    Paystub,
    Shift,
)
from payroll_sdk.models.profile import RESOURCE_NAMES, AccountProfile
from payroll_sdk.models.summary import (
    Amount,
    DepositDestination,
    EmployerSummary,
    ProfileSummary,
    SourcedValue,
    YearlyPay,
)

AS_OF = date(2025, 6, 16)
CREATED = "2025-01-01T00:00:00.000000+00:00"
REFRESHED = "2025-06-15T06:00:00.000000+00:00"


# --- a small factory: wire-shaped dicts, validated as the client would ----------------------------


def days_ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def make_paystub(
    account_id: str,
    pay_date: date,
    gross: int = 100_000,
    net: int | None = None,
    *,
    currency: str = "USD",
    employer_name: str | None = None,
) -> Paystub:
    return Paystub.model_validate(
        {
            "id": f"{account_id}-stub-{pay_date.isoformat()}-{currency}",
            "created_at": CREATED,
            "account_id": account_id,
            "pay_date": pay_date.isoformat(),
            "currency": currency,
            "gross_pay_amount": gross,
            "net_pay_amount": gross * 3 // 4 if net is None else net,
            "check_amount": 0,
            "total_taxes": 0,
            "total_deductions": 0,
            "total_reimbursements": 0,
            "taxes": [],
            "deductions": [],
            "earnings": [],
            "time_off": [],
            "employer_name": employer_name,
        }
    )


def make_shift(
    account_id: str,
    end_date: date,
    *,
    earnings: list[dict[str, Any]] | None = None,
    timestamps: Sequence[tuple[str, str]] = (),
    currency: str = "USD",
    number: int = 0,
) -> Shift:
    return Shift.model_validate(
        {
            "id": f"{account_id}-shift-{end_date.isoformat()}-{number}",
            "created_at": CREATED,
            "account_id": account_id,
            "start_date": end_date.isoformat(),
            "end_date": end_date.isoformat(),
            "type": "delivery",
            "timestamps": [{"from": start, "to": end} for start, end in timestamps],
            "currency": currency,
            "earnings": earnings if earnings is not None else [],
        }
    )


def make_employment(
    account_id: str,
    employer_name: str = "Lakeshore Logistics LLC",
    status: str | None = "employed",
    start_date: str | None = None,
    termination_date: str | None = None,
) -> Employment:
    return Employment.model_validate(
        {
            "id": f"{account_id}-employment",
            "created_at": CREATED,
            "updated_at": CREATED,
            "account_id": account_id,
            "employer_name": employer_name,
            "status": status,
            "start_date": start_date,
            "termination_date": termination_date,
        }
    )


def make_income(
    account_id: str,
    amount: int = 2650,
    unit: str = "hourly",
    *,
    currency: str = "USD",
    pay_frequency: str | None = None,
) -> Income:
    return Income.model_validate(
        {
            "id": f"{account_id}-income",
            "created_at": CREATED,
            "updated_at": CREATED,
            "account_id": account_id,
            "compensation_amount": amount,
            "compensation_unit": unit,
            "currency": currency,
            "pay_frequency": pay_frequency,
        }
    )


def make_identity(
    account_id: str, full_name: str, emails: list[str] | None = None, phones: Sequence[str] = ()
) -> Identity:
    return Identity.model_validate(
        {
            "id": f"{account_id}-identity",
            "created_at": CREATED,
            "updated_at": CREATED,
            "account_id": account_id,
            "full_name": full_name,
            "emails": emails,
            "date_of_birth": "1991-08-24",
            "last_four_ssn": "0417",
            "address": {"raw": "2231 W Belden Ave, Chicago, IL 60647"},
            "phone_numbers": [{"value": phone, "type": "mobile"} for phone in phones],
        }
    )


def make_deposits(account_id: str, allocations: list[dict[str, Any]]) -> DirectDepositAllocations:
    return DirectDepositAllocations.model_validate(
        {
            "id": f"{account_id}-dda",
            "account_id": account_id,
            "created_at": CREATED,
            "updated_at": CREATED,
            "allocations": allocations,
        }
    )


def make_account(account_id: str = "acct-1", **resources: Any) -> AccountProfile:
    account = PayrollAccount.model_validate(
        {
            "id": account_id,
            "created_at": CREATED,
            "platform_id": "platform-1",
            "connected": True,
            "monitoring_status": "active",
            "data_updated_at": {},
            # Refreshed the day before AS_OF: fresh, so figures count as current.
            "data_refreshed_at": dict.fromkeys(RESOURCE_NAMES, REFRESHED),
        }
    )
    return AccountProfile(account=account, **resources)


def stubs_every(days: int, count: int, *, first: int = 0, **kwargs: Any) -> list[Paystub]:
    """``count`` paystubs ``days`` apart, the newest ``first`` days before AS_OF, newest first."""
    return [make_paystub("acct-1", days_ago(first + days * k), **kwargs) for k in range(count)]


def only_employer(accounts: list[AccountProfile]) -> EmployerSummary:
    (employer,) = summarize(accounts, as_of=AS_OF).employers
    return employer


# --- empty and missing data -----------------------------------------------------------------------


def test_no_accounts_give_an_empty_summary() -> None:
    summary = summarize([], as_of=AS_OF)
    assert summary == ProfileSummary(as_of=AS_OF)
    assert summary.employers == []
    assert summary.latest_pay_date is None
    assert summary.annualized_income == []
    assert summary.shift_hours_90d == 0.0


def test_an_account_with_no_resources_gives_none_rather_than_errors() -> None:
    summary = summarize([make_account("acct-1")], as_of=AS_OF)
    assert summary.employers == [
        EmployerSummary(
            account_id="acct-1",
            employer_name=None,
            status=None,
            current=False,
            months_employed=None,
            pay_by_year=[],
            latest_pay_date=None,
            pay_frequency_inferred=None,
            pay_frequency_reported=None,
            pay_frequency_matches=None,
            average_monthly_gross_3m=None,
            average_monthly_net_3m=None,
            annualized_income=None,
            annualized_method=None,
            freshness="fresh",
        )
    ]
    assert summary.names == summary.emails == summary.phone_numbers == []
    assert summary.current_employers == []
    assert summary.direct_deposit_destinations == []


def test_identity_without_emails_or_phones_is_fine() -> None:
    account = make_account(identity=make_identity("acct-1", "Ana Ruiz", emails=None))
    summary = summarize([account], as_of=AS_OF)
    assert summary.names == [SourcedValue(value="Ana Ruiz", account_ids=["acct-1"])]
    assert summary.emails == []
    assert summary.phone_numbers == []


# --- identity -------------------------------------------------------------------------------------


def test_identity_is_deduplicated_after_normalisation_with_provenance() -> None:
    accounts = [
        make_account(
            "acct-a",
            identity=make_identity(
                "acct-a",
                "Marisol T. Okafor",
                emails=["Marisol.Okafor@Example.net"],
                phones=["+13125550187"],
            ),
        ),
        make_account("acct-none"),
        make_account(
            "acct-b",
            identity=make_identity(
                "acct-b",
                "  marisol t.   OKAFOR ",
                # The same email twice in one identity lists the account once.
                emails=["marisol.okafor@example.net", "MARISOL.OKAFOR@example.net", "m@work.test"],
                phones=["(312) 555-0187", "+1 773 555 0142"],
            ),
        ),
        make_account("acct-c", identity=make_identity("acct-c", "Marisol Okafor")),
    ]
    summary = summarize(accounts, as_of=AS_OF)
    assert summary.names == [
        SourcedValue(value="Marisol T. Okafor", account_ids=["acct-a", "acct-b"]),
        SourcedValue(value="Marisol Okafor", account_ids=["acct-c"]),
    ]
    assert summary.emails == [
        SourcedValue(value="Marisol.Okafor@Example.net", account_ids=["acct-a", "acct-b"]),
        SourcedValue(value="m@work.test", account_ids=["acct-b"]),
    ]
    assert summary.phone_numbers == [
        SourcedValue(value="+13125550187", account_ids=["acct-a", "acct-b"]),
        SourcedValue(value="+1 773 555 0142", account_ids=["acct-b"]),
    ]


def test_summary_holds_no_ssn_dob_or_address_and_masks_identity_in_repr() -> None:
    account = make_account(
        identity=make_identity("acct-1", "Marisol Okafor", ["m@example.net"], ["+13125550187"])
    )
    summary = summarize([account], as_of=AS_OF)
    dumped = summary.model_dump_json()
    assert "0417" not in dumped
    assert "1991-08-24" not in dumped
    assert "Belden" not in dumped
    shown = repr(summary)
    assert "Marisol" not in shown
    assert "m@example.net" not in shown
    assert "5550187" not in shown


# --- current employers and employer names ---------------------------------------------------------


def test_current_employers_by_status_or_recent_pay() -> None:
    accounts = [
        make_account("employed", employment=make_employment("employed", "Acme Corp")),
        make_account(
            "terminated",
            employment=make_employment("terminated", "Old Job Inc", status="terminated"),
            # Recent pay does not override a reported status.
            paystubs=[make_paystub("terminated", days_ago(3))],
        ),
        make_account(
            "recent-pay",
            paystubs=[make_paystub("recent-pay", days_ago(59), employer_name="Gig Co")],
        ),
        make_account(
            "stale-pay",
            # Exactly 60 days ago is outside the last 60 days.
            paystubs=[make_paystub("stale-pay", days_ago(60), employer_name="Stale LLC")],
        ),
        make_account(
            "no-status",
            employment=make_employment("no-status", "Quiet Co", status=None),
            paystubs=[make_paystub("no-status", AS_OF)],
        ),
        make_account("duplicate", employment=make_employment("duplicate", " ACME  corp ")),
    ]
    summary = summarize(accounts, as_of=AS_OF)
    assert summary.current_employers == ["Acme Corp", "Gig Co", "Quiet Co"]
    assert [e.current for e in summary.employers] == [True, False, True, False, True, True]


def test_employer_name_falls_back_to_the_latest_paystub_with_one() -> None:
    paystubs = [
        make_paystub("acct-1", days_ago(0)),
        make_paystub("acct-1", days_ago(14), employer_name="New Name LLC"),
        make_paystub("acct-1", days_ago(28), employer_name="Old Name LLC"),
    ]
    assert only_employer([make_account(paystubs=paystubs)]).employer_name == "New Name LLC"
    with_employment = make_account(
        paystubs=paystubs, employment=make_employment("acct-1", "Employment Name")
    )
    assert only_employer([with_employment]).employer_name == "Employment Name"


# --- tenure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 1, 15), date(2024, 3, 14), 1),
        (date(2024, 1, 15), date(2024, 3, 15), 2),
        (date(2024, 1, 31), date(2024, 2, 29), 0),
        (date(2021, 4, 12), date(2025, 6, 16), 50),
        (date(2025, 6, 16), date(2025, 6, 16), 0),
        (date(2025, 7, 1), date(2025, 6, 16), 0),
    ],
)
def test_whole_months_between(start: date, end: date, months: int) -> None:
    assert whole_months_between(start, end) == months


def test_months_employed_to_as_of_or_termination() -> None:
    employed = make_account(
        "employed", employment=make_employment("employed", start_date="2021-04-12")
    )
    terminated = make_account(
        "terminated",
        employment=make_employment(
            "terminated",
            status="terminated",
            start_date="2021-04-12",
            termination_date="2024-01-11",
        ),
    )
    no_start = make_account("no-start", employment=make_employment("no-start"))
    summary = summarize([employed, terminated, no_start], as_of=AS_OF)
    assert [e.months_employed for e in summary.employers] == [50, 32, None]
    assert summary.employers[1].start_date == date(2021, 4, 12)
    assert summary.employers[1].termination_date == date(2024, 1, 11)
    assert summary.employers[1].status == "terminated"


# --- pay by year, latest pay date -----------------------------------------------------------------


def test_pay_by_year_groups_by_calendar_year_and_currency_newest_first() -> None:
    paystubs = [
        make_paystub("acct-1", date(2025, 1, 3), 1000, 700),
        make_paystub("acct-1", date(2024, 12, 31), 2000, 1500),
        make_paystub("acct-1", date(2024, 6, 1), 3000, 2000),
        make_paystub("acct-1", date(2024, 5, 1), 4000, 3000, currency="EUR"),
    ]
    employer = only_employer([make_account(paystubs=paystubs)])
    assert employer.pay_by_year == [
        YearlyPay(
            year=2025,
            currency="USD",
            gross=1000,
            net=700,
            paystubs=1,
            partial=True,
            partial_reason=f"year to date (as of {AS_OF.isoformat()})",
        ),
        YearlyPay(
            year=2024,
            currency="EUR",
            gross=4000,
            net=3000,
            paystubs=1,
            partial=True,
            partial_reason="history starts on 2024-05-01",
        ),
        YearlyPay(
            year=2024,
            currency="USD",
            gross=5000,
            net=3500,
            paystubs=2,
            partial=True,
            partial_reason="history starts on 2024-05-01",
        ),
    ]
    assert employer.pay_by_year[0].gross_pay == Money(1000, "USD")
    assert employer.latest_pay_date == date(2025, 1, 3)


def test_overall_latest_pay_date_is_the_max_over_accounts() -> None:
    accounts = [
        make_account("a", paystubs=[make_paystub("a", date(2025, 5, 1))]),
        make_account("b", paystubs=[make_paystub("b", date(2025, 6, 6))]),
        make_account("c"),
    ]
    assert summarize(accounts, as_of=AS_OF).latest_pay_date == date(2025, 6, 6)


# --- pay frequency --------------------------------------------------------------------------------


def dates_with_gaps(gaps: list[int]) -> list[date]:
    dates = [AS_OF]
    for gap in gaps:
        dates.append(dates[-1] - timedelta(days=gap))
    return dates


SEMI_MONTHLY_DATES = [date(2025, month, day) for month in range(1, 7) for day in (1, 15)]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (dates_with_gaps([1, 1, 1, 3, 1, 1, 1, 3]), "daily"),
        (dates_with_gaps([7] * 11), "weekly"),
        (dates_with_gaps([5, 9, 7]), "weekly"),
        (dates_with_gaps([14] * 11), "bi-weekly"),
        # A holiday moves pay days: 6 of 8 gaps (75%) exactly 14 days is still bi-weekly...
        (dates_with_gaps([14, 14, 14, 13, 15, 14, 14, 14]), "bi-weekly"),
        # ...5 of 8 is not.
        (dates_with_gaps([14, 14, 13, 15, 13, 15, 14, 14]), "semi-monthly"),
        (SEMI_MONTHLY_DATES, "semi-monthly"),
        (dates_with_gaps([31, 30, 31, 30, 28]), "monthly"),
        (dates_with_gaps([10, 10, 10]), "variable"),
        (dates_with_gaps([3, 40, 90, 2]), "variable"),
        (dates_with_gaps([60, 60]), "variable"),
    ],
)
def test_infer_pay_frequency(dates: list[date], expected: str) -> None:
    assert infer_pay_frequency(dates) == expected
    assert infer_pay_frequency(reversed(dates)) == expected


def test_infer_pay_frequency_needs_three_distinct_dates() -> None:
    assert infer_pay_frequency([]) is None
    assert infer_pay_frequency([AS_OF, days_ago(14)]) is None
    assert infer_pay_frequency([AS_OF, AS_OF, days_ago(14)]) is None
    assert infer_pay_frequency([AS_OF, AS_OF, days_ago(14), days_ago(28)]) == "bi-weekly"


def test_infer_pay_frequency_uses_the_twelve_most_recent_dates() -> None:
    # 8 recent weekly dates, then 30 monthly ones: all the gaps would give a monthly median,
    # the 11 gaps among the 12 newest dates (7 weekly, 4 monthly) a weekly one.
    weekly = dates_with_gaps([7] * 7)
    monthly_before = [weekly[-1] - timedelta(days=30 * k) for k in range(1, 31)]
    assert infer_pay_frequency(weekly + monthly_before) == "weekly"
    assert infer_pay_frequency(weekly[:2] + monthly_before) == "monthly"


@pytest.mark.parametrize(
    ("reported", "matches"),
    [("bi-weekly", True), ("monthly", False), (None, None)],
)
def test_pay_frequency_reported_and_matches(reported: str | None, matches: bool | None) -> None:
    account = make_account(
        paystubs=stubs_every(14, 6), income=make_income("acct-1", pay_frequency=reported)
    )
    employer = only_employer([account])
    assert employer.pay_frequency_inferred == "bi-weekly"
    assert employer.pay_frequency_reported == reported
    assert employer.pay_frequency_matches is matches


def test_pay_frequency_matches_is_none_without_enough_paystubs() -> None:
    account = make_account(
        paystubs=stubs_every(14, 2), income=make_income("acct-1", pay_frequency="bi-weekly")
    )
    employer = only_employer([account])
    assert employer.pay_frequency_inferred is None
    assert employer.pay_frequency_matches is None


# --- 3-month averages and their window ------------------------------------------------------------


def test_three_month_average_window_includes_as_of_and_excludes_90_days_ago() -> None:
    paystubs = [
        make_paystub("acct-1", AS_OF + timedelta(days=1), 999_999, 999_999),  # future: out
        make_paystub("acct-1", AS_OF, 300, 200),  # in
        make_paystub("acct-1", days_ago(89), 600, 100),  # in
        make_paystub("acct-1", days_ago(90), 999_999, 999_999),  # out
    ]
    employer = only_employer([make_account(paystubs=paystubs)])
    assert employer.average_monthly_gross_3m == Amount(amount=300, currency="USD")
    assert employer.average_monthly_net_3m == Amount(amount=100, currency="USD")


def test_three_month_average_rounds_half_even_and_is_none_without_recent_pay() -> None:
    recent = [
        make_paystub("acct-1", AS_OF, 133_333, 0),
        make_paystub("acct-1", days_ago(30), 133_334, 2),
        make_paystub("acct-1", days_ago(60), 133_334, 2),
    ]
    # 400_001 / 3 = 133_333.67 -> 133_334; 4 / 3 = 1.33 -> 1
    employer = only_employer([make_account(paystubs=recent)])
    assert employer.average_monthly_gross_3m == Amount(amount=133_334, currency="USD")
    assert employer.average_monthly_net_3m == Amount(amount=1, currency="USD")

    old = only_employer([make_account(paystubs=[make_paystub("acct-1", days_ago(90))])])
    assert old.average_monthly_gross_3m is None
    assert old.average_monthly_net_3m is None


def test_three_month_average_uses_only_the_latest_paystubs_currency() -> None:
    paystubs = [
        make_paystub("acct-1", days_ago(1), 3000, 1500, currency="CAD"),
        make_paystub("acct-1", days_ago(15), 999_999, currency="USD"),
        make_paystub("acct-1", days_ago(29), 6000, 3000, currency="cad"),
    ]
    employer = only_employer([make_account(paystubs=paystubs)])
    assert employer.average_monthly_gross_3m == Amount(amount=3000, currency="CAD")
    assert employer.average_monthly_net_3m == Amount(amount=1500, currency="CAD")


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 2, 2), (7, 2, 4), (10, 3, 3), (11, 3, 4), (-5, 2, -2), (-7, 2, -4), (0, 3, 0)],
)
def test_divide_half_even(numerator: int, denominator: int, expected: int) -> None:
    assert divide_half_even(numerator, denominator) == expected


def test_divide_half_even_refuses_a_non_positive_denominator() -> None:
    with pytest.raises(ValueError, match="positive"):
        divide_half_even(1, 0)


# --- annualized income ----------------------------------------------------------------------------


def test_annualized_from_trailing_twelve_months() -> None:
    # 27 bi-weekly paystubs: the oldest 364 days ago, inside (as_of - 365, as_of].
    paystubs = stubs_every(14, 27, gross=100_000)
    paystubs.append(make_paystub("acct-1", days_ago(365), 5_000_000))  # outside the window
    account = make_account(paystubs=paystubs, income=make_income("acct-1"))
    employer = only_employer([account])
    assert employer.annualized_method == "trailing_12_months"
    assert employer.annualized_income == Amount(amount=2_700_000, currency="USD")


@pytest.mark.parametrize(
    ("oldest_days_ago", "method"),
    [(335, "trailing_12_months"), (334, "recent_pay_x_frequency")],
)
def test_trailing_twelve_months_needs_eleven_months_of_span(
    oldest_days_ago: int, method: str
) -> None:
    paystubs = [*stubs_every(14, 23), make_paystub("acct-1", days_ago(oldest_days_ago))]
    employer = only_employer([make_account(paystubs=paystubs)])
    assert employer.annualized_method == method
    expected = 24 * 100_000 if method == "trailing_12_months" else 26 * 100_000
    assert employer.annualized_income == Amount(amount=expected, currency="USD")


def test_annualized_from_recent_pay_times_frequency_rounds_half_even() -> None:
    # Bi-weekly from 40 days ago: 40, 54, 68, 82 days ago are in the 90-day window, 96 is not.
    paystubs = stubs_every(14, 6, first=40, gross=100_000)
    paystubs[0] = make_paystub("acct-1", days_ago(40), 100_001)
    employer = only_employer([make_account(paystubs=paystubs, income=make_income("acct-1"))])
    assert employer.pay_frequency_inferred == "bi-weekly"
    assert employer.annualized_method == "recent_pay_x_frequency"
    # 400_001 / 4 * 26 = 2_600_006.5 -> 2_600_006 (ties to even)
    assert employer.annualized_income == Amount(amount=2_600_006, currency="USD")


@pytest.mark.parametrize(
    ("gap", "periods"), [(7, 52), (14, 26), (30, 12)], ids=["weekly", "bi-weekly", "monthly"]
)
def test_recent_pay_uses_periods_per_year_of_the_inferred_frequency(gap: int, periods: int) -> None:
    employer = only_employer([make_account(paystubs=stubs_every(gap, 5, gross=10_000))])
    assert employer.annualized_method == "recent_pay_x_frequency"
    assert employer.annualized_income == Amount(amount=10_000 * periods, currency="USD")


def test_recent_pay_semi_monthly_is_24_periods() -> None:
    paystubs = [make_paystub("acct-1", d, 10_000) for d in SEMI_MONTHLY_DATES]
    employer = only_employer([make_account(paystubs=paystubs)])
    assert employer.pay_frequency_inferred == "semi-monthly"
    assert employer.annualized_income == Amount(amount=240_000, currency="USD")


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (2650, "hourly", 2650 * 2080),
        (20_000, "daily", 20_000 * 260),
        (100_000, "weekly", 5_200_000),
        (200_000, "bi-weekly", 5_200_000),
        (250_000, "semi-monthly", 6_000_000),
        (500_000, "monthly", 6_000_000),
        (7_500_000, "annually", 7_500_000),
    ],
)
def test_annualized_from_the_income_rate(amount: int, unit: str, expected: int) -> None:
    account = make_account(income=make_income("acct-1", amount, unit, currency="CAD"))
    employer = only_employer([account])
    assert employer.annualized_method == "income_rate"
    assert employer.annualized_income == Amount(amount=expected, currency="CAD")


@pytest.mark.parametrize("unit", ["per_mile", "variable", "semi-weekly", "fortnightly"])
def test_income_rate_with_an_unusable_unit_gives_none(unit: str) -> None:
    employer = only_employer([make_account(income=make_income("acct-1", 100, unit))])
    assert employer.annualized_income is None
    assert employer.annualized_method is None


def test_recent_pay_is_not_used_for_daily_or_variable_or_a_single_recent_paystub() -> None:
    daily = stubs_every(1, 10)
    variable = [make_paystub("acct-1", d) for d in dates_with_gaps([10, 10, 10])]
    single_recent = stubs_every(14, 6, first=80)  # only 80 days ago is in the window
    for paystubs in (daily, variable, single_recent):
        employer = only_employer([make_account(paystubs=paystubs, income=make_income("acct-1"))])
        assert employer.annualized_method == "income_rate", paystubs


# --- shifts ---------------------------------------------------------------------------------------


def test_shift_hours_prefer_earnings_hours_then_timestamps() -> None:
    paid = make_shift(
        "acct-1",
        AS_OF,
        earnings=[
            {"name": "Regular", "category": "hourly", "amount": 16_000, "hours": 6.5},
            {"name": "Overtime", "category": "overtime", "amount": 3_000, "hours": 1.25},
            {"name": "Tips", "category": "tips", "amount": 900},
        ],
        timestamps=[("2025-06-16T08:00:00.000000-05:00", "2025-06-16T20:00:00.000000-05:00")],
    )
    clocked = make_shift(
        "acct-1",
        AS_OF,
        earnings=[{"name": "Fare", "category": "fare", "amount": 6843}],
        timestamps=[
            ("2025-06-16T17:00:00.000000-05:00", "2025-06-16T19:15:00.000000-05:00"),
            ("2025-06-16T19:45:00.000000-05:00", "2025-06-16T22:30:00.000000-05:00"),
        ],
    )
    assert shift_hours(paid) == 7.75
    assert shift_hours(clocked) == 5.0
    assert shift_hours(make_shift("acct-1", AS_OF)) == 0.0


def test_shift_windows_hours_and_earnings_per_account_and_overall() -> None:
    def shift(
        account_id: str, end: date, amount: int, hours: float, currency: str = "USD"
    ) -> Shift:
        earning = {"name": "Pay", "category": "hourly", "amount": amount, "hours": hours}
        return make_shift(account_id, end, earnings=[earning], currency=currency)

    a_shifts = [
        shift("a", AS_OF + timedelta(days=1), 99_999, 99),  # future: out
        shift("a", AS_OF, 1_000, 1.1),  # 30d and 90d
        shift("a", days_ago(29), 2_000, 2.2),  # 30d and 90d
        shift("a", days_ago(30), 4_000, 4.4),  # 90d only
        shift("a", days_ago(89), 8_000, 8.8, currency="CAD"),  # 90d only
        shift("a", days_ago(90), 99_999, 99),  # out
    ]
    b_shifts = [shift("b", days_ago(5), 500, 0.5, currency="CAD")]
    summary = summarize(
        [make_account("a", shifts=a_shifts), make_account("b", shifts=b_shifts)], as_of=AS_OF
    )
    a, b = summary.employers
    assert a.shift_hours_30d == 3.3
    assert a.shift_hours_90d == 16.5
    assert a.shift_earnings_30d == [Amount(amount=3_000, currency="USD")]
    assert a.shift_earnings_90d == [
        Amount(amount=8_000, currency="CAD"),
        Amount(amount=7_000, currency="USD"),
    ]
    assert b.shift_hours_30d == b.shift_hours_90d == 0.5
    assert summary.shift_hours_30d == 3.8
    assert summary.shift_hours_90d == 17.0
    assert summary.shift_earnings_30d == [
        Amount(amount=500, currency="CAD"),
        Amount(amount=3_000, currency="USD"),
    ]
    assert summary.shift_earnings_90d == [
        Amount(amount=8_500, currency="CAD"),
        Amount(amount=7_000, currency="USD"),
    ]


# --- across accounts: currencies kept apart -------------------------------------------------------


def test_overall_annualized_income_sums_current_employers_per_currency() -> None:
    accounts = [
        make_account(
            "usd-1",
            employment=make_employment("usd-1", "Acme Corp"),
            income=make_income("usd-1", 100_000, "monthly"),
        ),
        make_account(
            "cad",
            employment=make_employment("cad", "Maple Ltd"),
            income=make_income("cad", 50_000, "monthly", currency="CAD"),
        ),
        make_account(
            "usd-2",
            employment=make_employment("usd-2", "Beta LLC"),
            income=make_income("usd-2", 10_000, "monthly"),
        ),
        make_account(
            "former",
            employment=make_employment("former", "Gone Inc", status="terminated"),
            income=make_income("former", 900_000, "monthly"),
        ),
        # The same employer connected twice counts once.
        make_account(
            "usd-1-again",
            employment=make_employment("usd-1-again", "ACME corp"),
            income=make_income("usd-1-again", 100_000, "monthly"),
        ),
    ]
    summary = summarize(accounts, as_of=AS_OF)
    assert summary.annualized_income == [
        Amount(amount=600_000, currency="CAD"),
        Amount(amount=1_320_000, currency="USD"),
    ]
    assert summary.current_employers == ["Acme Corp", "Maple Ltd", "Beta LLC"]
    former = summary.employers[3]
    assert former.annualized_income == Amount(amount=10_800_000, currency="USD")


# --- direct deposit -------------------------------------------------------------------------------


def test_deposit_destinations_show_only_masked_numbers() -> None:
    deposits = make_deposits(
        "acct-1",
        [
            {
                "allocation_type": "remainder",
                "currency": "USD",
                "account_type": "checking",
                "priority": 2,
                "bank_name": "Lakefront National Bank",
                "masked_account_number": "0093",
                "routing_number": "0719",
            },
            {
                "allocation_type": "amount",
                "currency": "USD",
                "account_type": "savings",
                "amount": 25_000,
                "priority": 1,
                "bank_name": "First Prairie Credit Union",
                "masked_account_number": "XXXX7731",
                "routing_number": "271070801",
            },
            {
                "allocation_type": "percentage",
                "currency": "USD",
                "percentage": 10.0,
                "masked_account_number": None,
                "routing_number": None,
            },
        ],
    )
    summary = summarize([make_account(direct_deposit_allocations=deposits)], as_of=AS_OF)
    assert summary.direct_deposit_destinations == [
        DepositDestination(
            account_id="acct-1",
            bank_name="First Prairie Credit Union",
            account_type="savings",
            account_number_masked="••7731",
            routing_number_masked="•••••0801",
            allocation_type="amount",
            amount=Amount(amount=25_000, currency="USD"),
            percentage=None,
            priority=1,
        ),
        DepositDestination(
            account_id="acct-1",
            bank_name="Lakefront National Bank",
            account_type="checking",
            account_number_masked="••0093",
            routing_number_masked="•••••0719",
            allocation_type="remainder",
            priority=2,
        ),
        DepositDestination(
            account_id="acct-1",
            allocation_type="percentage",
            percentage=10.0,
        ),
    ]
    dumped = summary.model_dump_json()
    assert "271070801" not in dumped
    assert "XXXX7731" not in dumped
    assert "271070801" not in str(summary.model_dump())


def test_deposit_destination_masks_whatever_it_is_given() -> None:
    destination = DepositDestination(
        account_id="x",
        allocation_type="amount",
        account_number_masked="1234567890",
        routing_number_masked="271070801",
    )
    assert destination.account_number_masked == "••7890"
    assert destination.routing_number_masked == "•••••0801"
    assert DepositDestination.model_validate_json(destination.model_dump_json()) == destination


# --- serialisation and determinism ----------------------------------------------------------------


def full_profile() -> list[AccountProfile]:
    return [
        make_account(
            "acct-1",
            identity=make_identity("acct-1", "Ana Ruiz", ["ana@example.net"], ["+13125550187"]),
            employment=make_employment("acct-1", "Acme Corp", start_date="2023-02-01"),
            income=make_income("acct-1", pay_frequency="bi-weekly"),
            paystubs=stubs_every(14, 30),
            shifts=[
                make_shift(
                    "acct-1",
                    days_ago(k),
                    number=k,
                    earnings=[{"name": "Pay", "category": "hourly", "amount": 100, "hours": 1.5}],
                )
                for k in range(0, 100, 3)
            ],
            direct_deposit_allocations=make_deposits(
                "acct-1",
                [{"allocation_type": "remainder", "currency": "USD", "routing_number": "0719"}],
            ),
        ),
        make_account(
            "acct-2",
            paystubs=[
                make_paystub("acct-2", days_ago(k), 5_000, currency="EUR") for k in (2, 33, 61)
            ],
        ),
    ]


def test_summary_round_trips_through_json() -> None:
    summary = summarize(full_profile(), as_of=AS_OF)
    assert summary.employers[0].annualized_method == "trailing_12_months"
    assert summary.employers[1].pay_frequency_inferred == "monthly"
    restored = ProfileSummary.model_validate_json(summary.model_dump_json())
    assert restored == summary


def test_summary_does_not_depend_on_input_order_of_paystubs_and_shifts() -> None:
    expected = summarize(full_profile(), as_of=AS_OF)
    shuffled = full_profile()
    rng = random.Random(7)
    for account in shuffled:
        rng.shuffle(account.paystubs)
        rng.shuffle(account.shifts)
    assert summarize(shuffled, as_of=AS_OF) == expected


def test_a_datetime_as_of_is_reduced_to_its_date() -> None:
    as_datetime = datetime(2025, 6, 16, 23, 59, tzinfo=UTC)
    assert summarize(full_profile(), as_of=as_datetime) == summarize(full_profile(), as_of=AS_OF)


def test_amount_converts_to_money_and_decimal() -> None:
    amount = Amount(amount=480_720, currency="usd")
    assert amount.currency == "USD"
    assert amount.money == Money(480_720, "USD")
    assert str(amount.decimal) == "4807.20"
    assert str(amount) == "USD 4,807.20"
    assert Amount.of(Money(5, "JPY")) == Amount(amount=5, currency="JPY")


def test_a_year_the_history_starts_inside_is_partial_by_its_year_to_date() -> None:
    # The oldest paystub's year to date is larger than its gross: earlier pay that year was
    # not served, so 2024's total is not a whole year's.
    oldest = make_paystub("acct-1", date(2024, 3, 1), 1000, 700).model_copy(
        update={"gross_pay_ytd": 5000}
    )
    first_of_year = make_paystub("acct-1", date(2024, 1, 5), 1000, 700).model_copy(
        update={"gross_pay_ytd": 1000}
    )
    cut = only_employer([make_account(paystubs=[oldest])]).pay_by_year[0]
    assert cut.partial and cut.partial_reason is not None
    assert "history starts on 2024-03-01" in cut.partial_reason
    whole = only_employer([make_account(paystubs=[first_of_year])]).pay_by_year[0]
    assert not whole.partial and whole.partial_reason is None


def test_amounts_missing_make_a_year_partial_and_averages_none_never_zero() -> None:
    stubs = stubs_every(14, 6)
    stubs[1] = stubs[1].model_copy(update={"gross_pay_amount": None})
    employer = only_employer([make_account(paystubs=stubs)])
    assert employer.average_monthly_gross_3m is None
    assert employer.average_monthly_net_3m is not None
    assert employer.paystubs_without_amount == 1
    assert any("3-month average gross pay not computed" in n for n in employer.notes)
    (year,) = [y for y in employer.pay_by_year if y.year == AS_OF.year]
    assert year.partial and "1 paystub(s) without an amount" in (year.partial_reason or "")
