"""Compute a :class:`~payroll_sdk.models.summary.ProfileSummary` from merged account data.

Pure and deterministic: no I/O, no clock. Every window is relative to the ``as_of`` date
passed in (the profile's ``fetched_at`` date), so the same accounts and the same ``as_of``
always give the same summary. The formulas are documented, with a worked example, in
``docs/profile.md`` ("The summary and its formulas"); keep the two in step.

Over 500 lines on purpose: one small pure function per figure, kept in one module so every
formula, and how it treats records with holes (no date, no amount), reads in one place beside
its documentation.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Final

from .._config import DEFAULT_STALE_AFTER
from ..models.direct_deposit import Allocation
from ..models.employment import Employment
from ..models.income import Income, PayFrequency
from ..models.paystubs import Paystub
from ..models.profile import AccountProfile, Freshness
from ..models.shifts import Shift
from ..models.summary import (
    Amount,
    AnnualizedMethod,
    DepositDestination,
    EmployerSummary,
    ProfileSummary,
    SourcedValue,
    YearlyPay,
)
from ._freshness import assess_freshness

__all__ = ["summarize"]

#: "Current" for an account without an employment status: paid within this many days.
CURRENT_PAY_WINDOW_DAYS: Final = 60
#: The window of the 3-month averages and of "recent pay" annualization.
RECENT_PAY_WINDOW_DAYS: Final = 90
RECENT_PAY_MONTHS: Final = 3
#: Trailing-12-months annualization: the window, and how far back its oldest paystub must be.
TRAILING_YEAR_DAYS: Final = 365
TRAILING_YEAR_MIN_SPAN_DAYS: Final = 335
#: Pay frequency inference looks at this many most recent distinct pay dates.
FREQUENCY_SAMPLE_DATES: Final = 12
FREQUENCY_MIN_DATES: Final = 3
#: Share of 14-day gaps above which a ~2-week median means bi-weekly, not semi-monthly.
BIWEEKLY_EXACT_GAP_SHARE: Final = 0.75
SHIFT_WINDOWS_DAYS: Final = (30, 90)

PERIODS_PER_YEAR: Final[dict[str, int]] = {
    "weekly": 52,
    "bi-weekly": 26,
    "semi-monthly": 24,
    "monthly": 12,
}
"""Pay periods per year of an inferred pay frequency (daily and variable have none)."""

COMPENSATION_UNITS_PER_YEAR: Final[dict[str, int]] = {
    "hourly": 2080,
    "daily": 260,
    "weekly": 52,
    "bi-weekly": 26,
    "semi-monthly": 24,
    "monthly": 12,
    "annually": 1,
}
"""Units per year of ``Income.compensation_unit`` (hourly: 40 h x 52 weeks; daily: 5 x 52)."""


def summarize(
    accounts: Sequence[AccountProfile],
    *,
    as_of: date,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> ProfileSummary:
    """Summarise the merged accounts of one end user as of a date.

    ``as_of`` is the date windows are relative to ("the last 90 days" is
    ``as_of - 90 days < date <= as_of``); a :class:`~datetime.datetime` is reduced to its date.
    Missing resources (``None`` employment or income, empty paystub lists) give ``None`` or
    empty figures, never an error. An account's ``freshness`` is used when set (``get_profile``
    sets it), otherwise assessed here as of ``as_of`` with ``stale_after``; only employers
    with ``fresh`` data count as current overall.
    """
    moment = as_of if isinstance(as_of, datetime) else datetime.combine(as_of, time(0), UTC)
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    employers = [
        _summarize_account(
            account,
            as_of,
            account.freshness or assess_freshness(account, as_of=moment, stale_after=stale_after),
        )
        for account in accounts
    ]
    fresh_current = [e for e in employers if e.current and e.freshness == "fresh"]
    unverified = [e for e in employers if e.current and e.freshness != "fresh"]
    names, emails, phones = _merge_identities(accounts)
    shift_windows = {
        days: [
            shift
            for account in accounts
            for shift in _shifts_in_window(account.shifts, as_of, days)
        ]
        for days in SHIFT_WINDOWS_DAYS
    }
    return ProfileSummary(
        as_of=as_of,
        names=names,
        emails=emails,
        phone_numbers=phones,
        current_employers=_unique_names(e.employer_name for e in fresh_current),
        unverified_employers=_unique_names(e.employer_name or e.account_id for e in unverified),
        employers=employers,
        latest_pay_date=max(
            (e.latest_pay_date for e in employers if e.latest_pay_date is not None), default=None
        ),
        annualized_income=_overall_annualized_income(fresh_current),
        shift_hours_30d=_total_shift_hours(shift_windows[30]),
        shift_hours_90d=_total_shift_hours(shift_windows[90]),
        shift_earnings_30d=_shift_earnings(shift_windows[30]),
        shift_earnings_90d=_shift_earnings(shift_windows[90]),
        direct_deposit_destinations=[
            _deposit_destination(account.account.id, allocation)
            for account in accounts
            if account.direct_deposit_allocations is not None
            for allocation in _by_priority(account.direct_deposit_allocations.allocations)
        ],
        notes=[
            *(f"{e.employer_name or e.account_id}: {note}" for e in employers for note in e.notes),
            *(
                f"{e.employer_name or e.account_id} looks current but its data is"
                f" {e.freshness or 'unknown'}: not counted as a current employer or income."
                for e in unverified
            ),
        ],
    )


# --- one account ------------------------------------------------------------------------------


def _summarize_account(
    account: AccountProfile, as_of: date, freshness: Freshness
) -> EmployerSummary:
    notes = [f"Data {freshness.verdict}: {reason}." for reason in freshness.reasons]
    # Sorted here rather than trusting the API's order: the summary must not depend on it.
    # Paystubs without a pay date stay in the profile; date-based figures cannot use them.
    paystubs = sorted(
        (p for p in account.paystubs if p.pay_date is not None),
        key=lambda p: (p.pay_date, p.id),
        reverse=True,
    )
    undated = len(account.paystubs) - len(paystubs)
    if undated:
        notes.append(f"{undated} paystub(s) without a pay date are left out of dated figures.")
    no_amount = sum(
        1 for p in account.paystubs if p.gross_pay_amount is None or p.net_pay_amount is None
    )
    if no_amount:
        notes.append(f"{no_amount} paystub(s) without a gross or net amount are not in totals.")
    undated_shifts = sum(1 for s in account.shifts if s.end_date is None)
    if undated_shifts:
        notes.append(f"{undated_shifts} shift(s) without an end date are left out of windows.")

    employment = account.employment
    status = employment.status if employment is not None else None
    start_date = employment.start_date if employment is not None else None
    termination_date = employment.termination_date if employment is not None else None
    employer_name = employment.employer_name if employment is not None else None
    if not (employer_name and employer_name.strip()):
        employer_name = next((p.employer_name for p in paystubs if p.employer_name), None)

    if not status:
        # Without a status, recent pay is the best evidence of a current job.
        current = any(_in_window(p.pay_date, as_of, CURRENT_PAY_WINDOW_DAYS) for p in paystubs)
        status = None
    else:
        current = status == "employed"

    inferred = infer_pay_frequency(_pay_date(p) for p in paystubs)
    reported = account.income.pay_frequency if account.income is not None else None
    recent = _latest_currency_only(_paystubs_in_window(paystubs, as_of, RECENT_PAY_WINDOW_DAYS))
    annualized, method = _annualize(paystubs, recent, inferred, account.income, as_of, notes)
    shifts = {days: _shifts_in_window(account.shifts, as_of, days) for days in SHIFT_WINDOWS_DAYS}

    return EmployerSummary(
        account_id=account.account.id,
        employer_name=employer_name,
        status=status,
        current=current,
        start_date=start_date,
        termination_date=termination_date,
        months_employed=(
            None
            if start_date is None
            else whole_months_between(start_date, termination_date or as_of)
        ),
        pay_by_year=_pay_by_year(paystubs, as_of, inferred, employment),
        latest_pay_date=paystubs[0].pay_date if paystubs else None,
        pay_frequency_inferred=inferred,
        pay_frequency_reported=reported,
        pay_frequency_matches=(
            None if inferred is None or reported is None else inferred == reported
        ),
        average_monthly_gross_3m=_monthly_average(
            recent, lambda p: p.gross_pay_amount, "gross", notes
        ),
        average_monthly_net_3m=_monthly_average(recent, lambda p: p.net_pay_amount, "net", notes),
        annualized_income=annualized,
        annualized_method=method,
        shift_hours_30d=_total_shift_hours(shifts[30]),
        shift_hours_90d=_total_shift_hours(shifts[90]),
        shift_earnings_30d=_shift_earnings(shifts[30]),
        shift_earnings_90d=_shift_earnings(shifts[90]),
        freshness=freshness.verdict,
        data_refreshed_at=freshness.refreshed_at,
        paystubs_without_date=undated,
        paystubs_without_amount=no_amount,
        shifts_without_date=undated_shifts,
        notes=notes,
    )


def _pay_date(paystub: Paystub) -> date:
    # Only called on paystubs already filtered to those with a pay date.
    assert paystub.pay_date is not None
    return paystub.pay_date


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is not after ``start``).

    A month counts once its day of the month is reached again: 2024-01-15 to 2024-03-14 is 1,
    to 2024-03-15 is 2. (So 2024-01-31 to 2024-02-29 is 0: February has no 31st.)
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def infer_pay_frequency(pay_dates: Iterable[date]) -> PayFrequency | None:
    """Infer a pay frequency from pay dates, or ``None`` with fewer than 3 distinct dates.

    Uses the gaps in days between consecutive distinct dates among the 12 most recent. By the
    median gap: <= 1.5 daily; 5-9 weekly; 12-17 bi-weekly when at least 75% of the gaps are
    exactly 14 days, else semi-monthly; 26-35 monthly; anything else variable.
    """
    dates = sorted(set(pay_dates), reverse=True)[:FREQUENCY_SAMPLE_DATES]
    if len(dates) < FREQUENCY_MIN_DATES:
        return None
    gaps = [(newer - older).days for newer, older in pairwise(dates)]
    median = statistics.median(gaps)
    if median <= 1.5:
        return "daily"
    if 5 <= median <= 9:
        return "weekly"
    if 12 <= median <= 17:
        exactly_two_weeks = sum(1 for gap in gaps if gap == 14)
        return (
            "bi-weekly"
            if exactly_two_weeks >= BIWEEKLY_EXACT_GAP_SHARE * len(gaps)
            else "semi-monthly"
        )
    if 26 <= median <= 35:
        return "monthly"
    return "variable"


def _annualize(
    paystubs: Sequence[Paystub],
    recent: Sequence[Paystub],
    inferred: PayFrequency | None,
    income: Income | None,
    as_of: date,
    notes: list[str],
) -> tuple[Amount | None, AnnualizedMethod | None]:
    # The first rule that applies wins: a year of actual pay beats an extrapolation, which
    # beats the rate the platform states. A rule whose paystubs lack a gross amount is passed
    # over (a sum with a hole would understate the income), and the notes say so.
    trailing = _latest_currency_only(_paystubs_in_window(paystubs, as_of, TRAILING_YEAR_DAYS))
    if trailing and (as_of - _pay_date(trailing[-1])).days >= TRAILING_YEAR_MIN_SPAN_DAYS:
        known = [p.gross_pay_amount for p in trailing if p.gross_pay_amount is not None]
        if len(known) == len(trailing):
            return Amount(amount=sum(known), currency=trailing[0].currency), "trailing_12_months"
        notes.append(
            f"Trailing-12-months income not computed: {len(trailing) - len(known)} paystub(s)"
            " in the last year have no gross amount."
        )

    periods = PERIODS_PER_YEAR.get(inferred) if inferred is not None else None
    # An average per paystub is not skewed by a paystub without an amount: it is left out
    # of both the sum and the count.
    known_recent = [p for p in recent if p.gross_pay_amount is not None]
    if periods is not None and len(known_recent) >= 2:
        total = sum(p.gross_pay_amount or 0 for p in known_recent)
        annual = divide_half_even(total * periods, len(known_recent))
        return Amount(amount=annual, currency=recent[0].currency), "recent_pay_x_frequency"

    if (
        income is not None
        and income.compensation_amount is not None
        and income.compensation_unit is not None
    ):
        units = COMPENSATION_UNITS_PER_YEAR.get(income.compensation_unit)
        if units is not None:
            annual = income.compensation_amount * units
            return Amount(amount=annual, currency=income.currency), "income_rate"
    return None, None


def _monthly_average(
    recent: Sequence[Paystub],
    amount_of: Callable[[Paystub], int | None],
    label: str,
    notes: list[str],
) -> Amount | None:
    if not recent:
        return None
    amounts = [amount_of(p) for p in recent]
    known = [a for a in amounts if a is not None]
    if len(known) < len(amounts):
        # A monthly total with a missing paycheck would understate: no figure rather than a
        # wrong one.
        notes.append(
            f"3-month average {label} pay not computed: {len(amounts) - len(known)} paystub(s)"
            f" in the last {RECENT_PAY_WINDOW_DAYS} days have no {label} amount."
        )
        return None
    return Amount(
        amount=divide_half_even(sum(known), RECENT_PAY_MONTHS), currency=recent[0].currency
    )


def _latest_currency_only(paystubs: Sequence[Paystub]) -> list[Paystub]:
    """Keep the paystubs (newest first) in the newest one's currency.

    A per-account average over two currencies has no meaning, and an employer paying in two
    currencies within one window is rare enough that the latest one is the one to report.
    """
    if not paystubs:
        return []
    currency = paystubs[0].currency.upper()
    return [p for p in paystubs if p.currency.upper() == currency]


#: Longest pay period of a frequency, in days: a first paystub paid later than this into a
#: year means the history started after the year did (unknown frequency: a month).
_PERIOD_DAYS: Final[dict[str, int]] = {"weekly": 7, "bi-weekly": 14, "semi-monthly": 16}


def _pay_by_year(
    paystubs: Sequence[Paystub],
    as_of: date,
    inferred: PayFrequency | None,
    employment: Employment | None,
) -> list[YearlyPay]:
    """Totals per (year, currency) of dated paystubs (newest first), partial years marked."""
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for paystub in paystubs:
        bucket = totals[(_pay_date(paystub).year, paystub.currency.upper())]
        bucket[0] += paystub.gross_pay_amount or 0
        bucket[1] += paystub.net_pay_amount or 0
        bucket[2] += 1
        if paystub.gross_pay_amount is None or paystub.net_pay_amount is None:
            bucket[3] += 1
    oldest = paystubs[-1] if paystubs else None
    years: list[YearlyPay] = []
    for (year, currency), (gross, net, count, holes) in sorted(
        totals.items(), key=lambda item: (-item[0][0], item[0][1])
    ):
        reasons = []
        if oldest is not None and _pay_date(oldest).year == year:
            reason = _history_start_reason(oldest, inferred, employment)
            if reason:
                reasons.append(reason)
        ended = employment.termination_date if employment is not None else None
        if year == as_of.year and not (ended is not None and ended.year == year):
            reasons.append(f"year to date (as of {as_of.isoformat()})")
        if holes:
            reasons.append(f"{holes} paystub(s) without an amount")
        years.append(
            YearlyPay(
                year=year,
                currency=currency,
                gross=gross,
                net=net,
                paystubs=count,
                partial=bool(reasons),
                partial_reason="; ".join(reasons) or None,
            )
        )
    return years


def _history_start_reason(
    oldest: Paystub, inferred: PayFrequency | None, employment: Employment | None
) -> str | None:
    """Why the oldest year's total is not a whole year's, or None when it is."""
    pay_date = _pay_date(oldest)
    ytd, gross = oldest.gross_pay_ytd, oldest.gross_pay_amount
    if ytd is not None and gross is not None:
        # The year-to-date figure is the evidence: larger than the paystub itself means pay
        # earlier in the year that the history does not show.
        if ytd > gross:
            return f"history starts on {pay_date.isoformat()}, after earlier pay that year"
        return None
    start = employment.start_date if employment is not None else None
    if start is not None and start.year == pay_date.year:
        return None  # the job itself started that year
    period = _PERIOD_DAYS.get(inferred or "", 31)
    if (pay_date - date(pay_date.year, 1, 1)).days >= period:
        return f"history starts on {pay_date.isoformat()}"
    return None


# --- shifts -----------------------------------------------------------------------------------


def _shifts_in_window(shifts: Iterable[Shift], as_of: date, days: int) -> list[Shift]:
    """The shifts that ended in the last ``days`` days (as :func:`_in_window`; the bound is
    computed once, since these run over years of daily shifts for every window)."""
    start = as_of - timedelta(days=days)
    return [s for s in shifts if (end := s.end_date) is not None and start < end <= as_of]


def _paystubs_in_window(paystubs: Iterable[Paystub], as_of: date, days: int) -> list[Paystub]:
    """The paystubs paid in the last ``days`` days (as :func:`_in_window`)."""
    start = as_of - timedelta(days=days)
    return [p for p in paystubs if (paid := p.pay_date) is not None and start < paid <= as_of]


def shift_hours(shift: Shift) -> float:
    """Hours of one shift: the sum of its earnings' ``hours`` when any earning has hours,
    otherwise the clock time in ``timestamps``.

    Earnings' hours are preferred because they are what was paid for (breaks excluded); the
    timestamps are the fallback for gig shifts whose earnings carry no hours. A timestamp
    interval that cannot be measured (a naive and an aware end) or runs backwards counts as 0.
    """
    paid_hours = [e.hours for e in shift.earnings if e.hours is not None]
    if paid_hours:
        return float(sum(paid_hours))
    total = 0.0
    for interval in shift.timestamps:
        try:
            hours = interval.hours
        except TypeError:
            continue
        if hours is not None:
            total += max(hours, 0.0)
    return total


def _total_shift_hours(shifts: Iterable[Shift]) -> float:
    # Rounded once, at the end, to hundredths: float sums otherwise print as 7.499999999.
    return round(sum(shift_hours(s) for s in shifts), 2)


def _shift_earnings(shifts: Iterable[Shift]) -> list[Amount]:
    totals: dict[str, int] = {}
    for shift in shifts:
        amount = sum(e.amount for e in shift.earnings if e.amount is not None)
        currency = shift.currency.upper()
        totals[currency] = totals.get(currency, 0) + amount
    return _amounts(totals)


# --- across accounts --------------------------------------------------------------------------


def _overall_annualized_income(employers: Sequence[EmployerSummary]) -> list[Amount]:
    """Sum the given (current, fresh) employers' annualized incomes per currency.

    One figure per employer: when several current accounts have the same employer name
    (the same job connected twice), only the first such account with a figure counts.
    """
    seen_employers: set[str] = set()
    totals: dict[str, int] = {}
    for employer in employers:
        if not employer.current or employer.annualized_income is None:
            continue
        if employer.employer_name is not None:
            key = _name_key(employer.employer_name)
            if key in seen_employers:
                continue
            seen_employers.add(key)
        income = employer.annualized_income
        totals[income.currency] = totals.get(income.currency, 0) + income.amount
    return _amounts(totals)


def _unique_names(names: Iterable[str | None]) -> list[str]:
    unique: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            unique.setdefault(_name_key(name), name.strip())
    return list(unique.values())


def _merge_identities(
    accounts: Sequence[AccountProfile],
) -> tuple[list[SourcedValue], list[SourcedValue], list[SourcedValue]]:
    names = _SourcedValues(_name_key)
    emails = _SourcedValues(_email_key)
    phones = _SourcedValues(_phone_key)
    for account in accounts:
        identity = account.identity
        if identity is None:
            continue
        account_id = account.account.id
        if identity.full_name:
            names.add(identity.full_name, account_id)
        for email in identity.emails or ():
            emails.add(email, account_id)
        for phone in identity.phone_numbers or ():
            phones.add(phone.value, account_id)
    return names.values(), emails.values(), phones.values()


class _SourcedValues:
    """Values deduplicated by a normalising key, keeping the first spelling and every source."""

    def __init__(self, key: Callable[[str], str]) -> None:
        self._key = key
        self._by_key: dict[str, SourcedValue] = {}

    def add(self, value: str, account_id: str) -> None:
        key = self._key(value)
        if not key:
            return
        entry = self._by_key.setdefault(key, SourcedValue(value=value.strip(), account_ids=[]))
        if account_id not in entry.account_ids:
            entry.account_ids.append(account_id)

    def values(self) -> list[SourcedValue]:
        return list(self._by_key.values())


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _email_key(email: str) -> str:
    return email.strip().lower()


def _phone_key(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    # "+1 312 555 0187" and "(312) 555-0187" are one number: drop the North American
    # country code, the only one the contract's (US) data carries.
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def _by_priority(allocations: Sequence[Allocation]) -> list[Allocation]:
    # Stable, and allocations without a priority go last, in the API's order.
    return sorted(
        allocations, key=lambda a: (a.priority is None, a.priority if a.priority is not None else 0)
    )


def _deposit_destination(account_id: str, allocation: Allocation) -> DepositDestination:
    # DepositDestination masks the numbers itself; the raw ones are handed over only here.
    fixed = allocation.fixed_amount
    return DepositDestination(
        account_id=account_id,
        bank_name=allocation.bank_name,
        account_type=allocation.account_type,
        account_number_masked=allocation.masked_account_number,
        routing_number_masked=allocation.routing_number,
        allocation_type=allocation.allocation_type,
        amount=None if fixed is None else Amount.of(fixed),
        percentage=allocation.percentage,
        priority=allocation.priority,
    )


# --- small helpers ----------------------------------------------------------------------------


def _in_window(day: date | None, as_of: date, days: int) -> bool:
    """``as_of - days < day <= as_of``: the last ``days`` days, ``as_of`` included (a record
    without a date is in no window)."""
    return day is not None and as_of - timedelta(days=days) < day <= as_of


def _amounts(totals: dict[str, int]) -> list[Amount]:
    return [Amount(amount=totals[currency], currency=currency) for currency in sorted(totals)]


def divide_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to an integer, ties to even (banker's rounding).

    Exact integer arithmetic: no float or decimal context can lose a cent.

    >>> divide_half_even(5, 2), divide_half_even(7, 2), divide_half_even(10, 3)
    (2, 4, 3)
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient
