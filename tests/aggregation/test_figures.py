"""The verification figures (aggregation/_figures.py) against hand-computed values.

The first part is the worked example of docs/profile.md ("Verification figures"), figure by
figure; the rest covers the edges: holes in the records, stale accounts, short histories.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from payroll_sdk.aggregation._figures import (
    add_figures,
    missing_periods,
    month_windows,
    pay_rate,
    tenure,
    year_to_date,
)
from payroll_sdk.aggregation._summary import summarize
from payroll_sdk.models import Employment, Income, PayrollAccount, Paystub
from payroll_sdk.models.figures import PayGap
from payroll_sdk.models.profile import AccountProfile, ResourceStatus
from payroll_sdk.models.summary import ProfileSummary

AS_OF = date(2025, 6, 16)
CREATED = "2025-01-01T00:00:00+00:00"


def stub(
    account_id: str,
    pay_date: date | None,
    gross: int | None = 250_000,
    *,
    net: int | None = 180_000,
    gross_ytd: int | None = None,
    net_ytd: int | None = None,
    currency: str = "USD",
    earnings: list[dict[str, Any]] | None = None,
    number: int = 0,
) -> Paystub:
    paystub = Paystub.model_validate(
        {
            "id": f"{account_id}-{pay_date}-{number}",
            "created_at": CREATED,
            "account_id": account_id,
            "pay_date": (pay_date or AS_OF).isoformat(),
            "currency": currency,
            "gross_pay_amount": 0,
            "net_pay_amount": 0,
            "check_amount": 0,
            "total_taxes": 0,
            "total_deductions": 0,
            "total_reimbursements": 0,
            "taxes": [],
            "deductions": [],
            "earnings": earnings or [],
            "time_off": [],
            "gross_pay_ytd": gross_ytd,
            "net_pay_ytd": net_ytd,
        }
    )
    # Holes as real data has them (issue 10): model_copy does not validate, so a missing pay
    # date or amount can be represented whatever the model currently requires.
    return paystub.model_copy(
        update={"pay_date": pay_date, "gross_pay_amount": gross, "net_pay_amount": net}
    )


def account(
    account_id: str,
    paystubs: list[Paystub],
    *,
    employment: dict[str, Any] | None = None,
    income: dict[str, Any] | None = None,
    connected: bool = True,
    monitoring_status: str = "active",
    paystubs_refreshed: str | None = None,
) -> AccountProfile:
    payroll_account = PayrollAccount.model_validate(
        {
            "id": account_id,
            "created_at": CREATED,
            "platform_id": "platform-1",
            "connected": connected,
            "monitoring_status": monitoring_status,
            "data_updated_at": {},
            "data_refreshed_at": {"paystubs": paystubs_refreshed},
        }
    )
    common = {"id": f"{account_id}-x", "created_at": CREATED, "updated_at": CREATED}
    return AccountProfile(
        account=payroll_account,
        paystubs=paystubs,
        employment=(
            None
            if employment is None
            else Employment.model_validate({**common, "account_id": account_id, **employment})
        ),
        income=(
            None
            if income is None
            else Income.model_validate({**common, "account_id": account_id, **income})
        ),
    )


def figures_of(accounts: list[AccountProfile], **kwargs: Any) -> ProfileSummary:
    return add_figures(summarize(accounts, as_of=AS_OF), accounts, **kwargs)


# --- the worked example -----------------------------------------------------------------------

# acct-1: bi-weekly $2,500.00 from 2025-06-13 back to 2024-12-27, the 2025-04-18 one not read;
# the newest reports $30,000.00 gross year to date (12 pay dates of 2025 at $2,500.00).
BIWEEKLY = [date(2025, 6, 13) - timedelta(days=14 * k) for k in range(13)]
ACCT_1_DATES = [d for d in BIWEEKLY if d != date(2025, 4, 18)]


def worked_example() -> list[AccountProfile]:
    acct_1 = account(
        "acct-1",
        [
            stub("acct-1", d, gross_ytd=3_000_000 if k == 0 else None, net_ytd=2_160_000)
            for k, d in enumerate(ACCT_1_DATES)
        ],
        employment={
            "employer_name": "Lakeshore Logistics LLC",
            "status": "employed",
            "start_date": "2021-04-12",
        },
        income={
            "compensation_amount": 2650,
            "compensation_unit": "hourly",
            "currency": "USD",
            "pay_frequency": "bi-weekly",
        },
    )
    acct_2 = account(
        "acct-2",
        [
            stub("acct-2", date(2025, 6, 6), 41_250, net=41_250),
            stub("acct-2", date(2025, 4, 1), 20_000, net=20_000),
        ],
    )
    return [acct_1, acct_2]


def test_worked_example_per_employer() -> None:
    summary = figures_of(worked_example())
    one, two = (e.figures for e in summary.employers)
    assert one is not None and two is not None

    assert one.account_ids == ["acct-1"] and one.stale is False
    assert one.tenure is not None
    assert (one.tenure.start_date, one.tenure.months, one.tenure.basis) == (
        date(2021, 4, 12),
        50,
        "employment",
    )
    assert one.pay_rate is not None
    rate = one.pay_rate
    assert (rate.amount, rate.unit, rate.basis) == (2650, "hourly", "income")
    assert one.pay_frequency == "bi-weekly"
    ytd = one.year_to_date
    assert ytd is not None
    assert (ytd.year, ytd.as_of_pay_date, ytd.paystubs) == (2025, date(2025, 6, 13), 11)
    assert (ytd.gross_reported, ytd.gross_summed, ytd.gross_difference) == (
        3_000_000,
        2_750_000,
        250_000,
    )
    assert (ytd.net_reported, ytd.net_summed, ytd.net_difference) == (
        2_160_000,
        1_980_000,
        180_000,
    )
    assert ytd.history_covers_year is True
    assert [p.pay_date for p in one.last_paystubs] == [date(2025, 6, 13), date(2025, 5, 30)]

    # acct-2: no employment, no income, two paystubs.
    assert two.tenure is not None
    assert (two.tenure.start_date, two.tenure.end_date, two.tenure.months) == (
        date(2025, 4, 1),
        None,
        2,
    )
    assert two.tenure.basis == "paystubs"
    assert two.pay_rate is None and two.pay_frequency is None
    ytd2 = two.year_to_date
    assert ytd2 is not None
    assert (ytd2.gross_reported, ytd2.gross_summed, ytd2.gross_difference) == (None, 61_250, None)
    assert ytd2.history_covers_year is False


def test_worked_example_gaps() -> None:
    gaps = figures_of(worked_example()).income.gaps
    # acct-2 has no regular frequency (2 pay dates): it cannot have gaps.
    assert gaps.account_ids == ["acct-1"]
    assert gaps.gaps == [
        PayGap(
            account_id="acct-1",
            frequency="bi-weekly",
            after=date(2025, 4, 4),
            before=date(2025, 5, 2),
            days=28,
            missing_periods=1,
        )
    ]
    assert gaps.missing_periods == 1


def test_worked_example_stability_and_trend() -> None:
    income = figures_of(worked_example()).income
    three, six, twelve = income.stability
    assert three.months == 3 and three.account_ids == ["acct-1", "acct-2"]
    # 2 bi-weekly stubs a month: 500000 * 26 / (2 * 12) = 541666.67 -> 541667; plus acct-2's pay.
    assert [m.normalized for m in three.monthly] == [582_917, 541_667, 561_667]
    assert [m.gross for m in three.monthly] == [541_250, 500_000, 520_000]
    assert three.mean_monthly == 562_084  # 1686251 / 3 = 562083.67
    assert three.cv == 0.03  # pstdev 16842.82 / mean 562083.67 = 0.029965
    assert three.label == "stable"

    assert [m.normalized for m in six.monthly] == [582_917, 541_667, 561_667] + [541_667] * 3
    assert six.cv == 0.0284  # pstdev 15685.99 / mean 551875.33
    assert twelve.cv is None and twelve.reason == "the paystubs read do not cover 12 months"

    trend = income.trend
    assert (trend.recent_monthly, trend.prior_monthly) == (562_084, 541_667)
    assert trend.change == 0.0377  # 20417 / 541667 = 0.037693
    assert trend.direction == "flat"


# --- formulas at their edges ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "frequency", "missing"),
    [
        (7, "weekly", 0),
        (10, "weekly", 0),
        (11, "weekly", 1),  # 11 / 7 = 1.57 rounds to 2 periods
        (28, "bi-weekly", 1),
        (21, "bi-weekly", 0),  # 21 / 14.048 = 1.49 periods rounds to 1: none missing
        (61, "monthly", 1),
        (45, "monthly", 0),
        (46, "semi-monthly", 2),
    ],
)
def test_missing_periods(days: int, frequency: str, missing: int) -> None:
    assert missing_periods(days, frequency) == missing


def test_month_windows_clamp_to_the_end_of_short_months() -> None:
    assert month_windows(date(2025, 3, 31), 2) == [
        (date(2025, 2, 28), date(2025, 3, 31)),
        (date(2025, 1, 31), date(2025, 2, 28)),
    ]
    assert month_windows(date(2025, 1, 15), 1) == [(date(2024, 12, 15), date(2025, 1, 15))]


def test_a_missing_gross_is_left_out_of_sums_and_months_never_counted_as_zero() -> None:
    stubs = [stub("a", d) for d in ACCT_1_DATES]
    stubs[1] = stub("a", ACCT_1_DATES[1], None, net=None)  # 2025-05-30, no amounts
    stubs.append(stub("a", None, 99_999_999))  # no pay date at all
    accounts = [account("a", stubs, employment={"employer_name": "X", "status": "employed"})]
    # summarize() itself learns to take such holes with issue 10; the figures take them now.
    clean = [account("a", [stub("a", d) for d in ACCT_1_DATES])]
    summary = add_figures(summarize(clean, as_of=AS_OF), accounts)
    figures = summary.employers[0].figures
    assert figures is not None and figures.year_to_date is not None
    ytd = figures.year_to_date
    assert (ytd.paystubs, ytd.paystubs_missing_gross, ytd.paystubs_missing_net) == (11, 1, 1)
    assert ytd.gross_summed == 10 * 250_000  # the undated 99,999,999 is not in any year
    assert figures.last_paystubs[-1].pay_date == date(2025, 5, 30)  # undated ones sort last
    three = summary.income.stability[0]
    assert three.monthly[0].normalized is None and three.monthly[0].excluded == "missing_amount"
    assert three.months_excluded == 1
    assert three.cv == 0.0  # the two other months, both 541667


def test_stale_accounts_flag_their_figures_and_their_unread_months() -> None:
    accounts = worked_example()
    accounts[0] = account(
        "acct-1",
        accounts[0].paystubs,
        employment={"employer_name": "L", "status": "employed"},
        connected=False,
        monitoring_status="degraded",
        paystubs_refreshed="2025-05-20T00:00:00+00:00",
    )
    stale = {"acct-1"}  # get_profile passes the accounts whose freshness is not "fresh"
    summary = figures_of(accounts, stale_account_ids=stale)
    first, second = summary.employers
    assert first.figures is not None and first.figures.stale is True
    assert second.figures is not None and second.figures.stale is False
    three = summary.income.stability[0]
    assert three.stale is True
    # Month 0 ends 2025-06-16, after acct-1 was last read on 2025-05-20: unknown, not zero.
    assert three.monthly[0].excluded == "not_read"
    assert three.monthly[1].excluded is None
    # The open gap of a current, stale account ends when its paystubs were last read.
    assert summary.income.gaps.stale is True


def test_open_gap_after_the_last_pay_date_of_a_current_employer() -> None:
    weekly = [date(2025, 5, 30) - timedelta(days=7 * k) for k in range(6)]
    accounts = [
        account(
            "w",
            [stub("w", d, 50_000) for d in weekly],
            employment={"employer_name": "W", "status": "employed"},
        )
    ]
    gaps = figures_of(accounts).income.gaps
    # 2025-05-30 to 2025-06-16 is 17 days: 17 / 7.0048 = 2.43 -> 2 periods, one missing.
    assert [(g.after, g.before, g.days, g.missing_periods) for g in gaps.gaps] == [
        (date(2025, 5, 30), None, 17, 1)
    ]


def test_pay_rate_falls_back_to_the_newest_paystubs_hourly_rate() -> None:
    stubs = [
        stub(
            "a",
            date(2025, 6, 1),
            earnings=[
                {"name": "Bonus", "category": "bonus", "amount": 10_000},
                {"name": "Regular", "category": "hourly", "amount": 80_000, "rate": 2_000},
            ],
        ),
        stub(
            "a",
            date(2025, 5, 1),
            earnings=[{"name": "Regular", "category": "hourly", "amount": 1, "rate": 1_900}],
        ),
    ]
    rate = pay_rate(None, stubs)
    assert rate is not None
    assert (rate.amount, rate.unit, rate.basis) == (2_000, "hourly", "paystub")
    assert pay_rate(None, []) is None


def test_tenure_of_a_terminated_employer_without_start_date_ends_at_its_last_pay() -> None:
    stubs = [stub("a", date(2025, 3, 14)), stub("a", date(2024, 9, 13))]
    got = tenure(None, stubs, as_of=AS_OF, current=False)
    assert got is not None
    assert (got.start_date, got.end_date, got.months) == (date(2024, 9, 13), date(2025, 3, 14), 6)
    assert tenure(None, [], as_of=AS_OF, current=True) is None


def test_year_to_date_takes_the_largest_ytd_on_the_newest_date_and_one_currency() -> None:
    stubs = [
        stub("a", date(2025, 6, 13), 250_000, gross_ytd=500_000, number=1),
        stub("a", date(2025, 6, 13), 50_000, gross_ytd=550_000, number=2),  # same-day bonus
        stub("a", date(2025, 5, 30), 250_000),
        stub("a", date(2025, 5, 16), 70_000, currency="CAD"),
        stub("a", date(2024, 12, 27), 250_000),  # last year: not summed
    ]
    employment = Employment.model_validate(
        {
            "id": "e",
            "created_at": CREATED,
            "updated_at": CREATED,
            "account_id": "a",
            "employer_name": "A",
            "start_date": "2025-05-20",
        }
    )
    ytd = year_to_date(stubs, employment)
    assert ytd is not None
    assert (ytd.gross_reported, ytd.gross_summed, ytd.gross_difference) == (550_000, 550_000, None)
    assert ytd.paystubs == 3
    assert ytd.history_covers_year is True
    assert year_to_date([]) is None


def test_the_figures_round_trip_through_json() -> None:
    summary = figures_of(worked_example())
    assert ProfileSummary.model_validate_json(summary.model_dump_json()) == summary


def test_summary_without_as_of_is_returned_unchanged() -> None:
    empty = ProfileSummary()
    assert add_figures(empty, []) is empty
    assert figures_of([]).income.stability[0].reason == "the paystubs read do not cover 3 months"


def test_gaps_count_the_paystubs_that_cannot_be_placed() -> None:
    weekly = [date(2025, 6, 13) - timedelta(days=7 * k) for k in range(8)]
    stubs = [stub("w", d, 50_000) for k, d in enumerate(weekly) if k != 3]
    stubs.append(stub("w", None, 50_000))  # the missing week, perhaps: no pay date
    accounts = [
        account("w", stubs, employment={"employer_name": "W", "status": "employed"}).model_copy(
            update={"status": {"paystubs": ResourceStatus(state="partial", unreadable=2)}}
        )
    ]
    # summarize() gets the dated paystubs; the figures see the holes.
    clean = [account("w", [s for s in stubs if s.pay_date is not None])]
    gaps = add_figures(summarize(clean, as_of=AS_OF), accounts).income.gaps
    assert [(g.after, g.before, g.missing_periods) for g in gaps.gaps] == [
        (date(2025, 5, 16), date(2025, 5, 30), 1)
    ]
    assert gaps.paystubs_unplaced == 3  # 1 without a pay date + 2 unreadable
