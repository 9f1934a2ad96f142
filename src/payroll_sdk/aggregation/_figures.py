"""Verification figures: tenure, pay rate, year to date, last paystubs, gaps, stability, trend.

Pure and deterministic like ``_summary.py`` (no I/O, no clock): every window is relative to the
summary's ``as_of``. :func:`add_figures` runs after :func:`~._summary.summarize` and fills
``EmployerSummary.figures`` and ``ProfileSummary.income``; the other functions are the
formulas, one each, documented with a worked example in ``docs/profile.md`` ("Verification
figures") and tested against hand-computed values.

Records with holes are expected (issue 10): a paystub without ``pay_date`` is left out of
everything dated; one without a gross (net) amount is left out of sums and counted, and a month
holding one is left out of the stability figures rather than shown smaller than it was.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Any, Final, Literal, NamedTuple

from ..models.employment import Employment
from ..models.figures import (
    EmployerFigures,
    IncomeFigures,
    MonthlyIncome,
    PayGap,
    PayGaps,
    PayRate,
    PaystubBrief,
    Stability,
    StabilityLabel,
    Tenure,
    Trend,
    TrendDirection,
    YearToDate,
)
from ..models.income import Income, PayFrequency
from ..models.paystubs import Paystub
from ..models.profile import AccountProfile
from ..models.summary import EmployerSummary, ProfileSummary
from ._summary import PERIODS_PER_YEAR, divide_half_even, whole_months_between

__all__ = [
    "PERIOD_DAYS",
    "STABILITY_MONTHS",
    "Pay",
    "add_figures",
    "employer_figures",
    "income_figures",
    "last_paystubs",
    "month_windows",
    "monthly_income",
    "pay_gaps",
    "pay_rate",
    "stability",
    "tenure",
    "trend",
    "year_to_date",
]

#: Average length in days of one pay period of each regular frequency (365.25 / periods).
PERIOD_DAYS: Final[dict[str, float]] = {
    frequency: 365.25 / periods for frequency, periods in PERIODS_PER_YEAR.items()
}
#: The windows of the stability figures, in months.
STABILITY_MONTHS: Final = (3, 6, 12)
#: Coefficient of variation thresholds of the stability label.
STABLE_BELOW: Final = 0.15
VARIABLE_BELOW: Final = 0.35
#: Relative change beyond which the trend is rising or falling rather than flat.
TREND_THRESHOLD: Final = 0.10
TREND_MONTHS: Final = 3
#: How close to the employment start the oldest paystub must be for a year's sum to be whole.
YEAR_START_SLACK_DAYS: Final = 31
LAST_PAYSTUBS: Final = 2
#: A month ending this many days or fewer after a stale account's last read still counts.
READ_SLACK_DAYS: Final = 7


def add_figures(
    summary: ProfileSummary,
    accounts: Sequence[AccountProfile],
    *,
    stale_account_ids: Collection[str] = (),
) -> ProfileSummary:
    """Return ``summary`` with the verification figures filled in.

    ``stale_account_ids`` names the accounts whose data may not be current; every figure built
    from one of them carries ``stale=True``.
    """
    as_of = summary.as_of
    if as_of is None:
        return summary
    by_id = {e.account_id: e for e in summary.employers}
    employers = [
        employer.model_copy(
            update={
                "figures": employer_figures(
                    account,
                    employer,
                    as_of=as_of,
                    stale=account.account.id in stale_account_ids,
                )
            }
        )
        if (employer := by_id.get(account.account.id)) is not None
        else None
        for account in accounts
    ]
    updated = [e for e in employers if e is not None]
    income = income_figures(
        accounts, updated, as_of=as_of, stale_account_ids=frozenset(stale_account_ids)
    )
    return summary.model_copy(update={"employers": updated, "income": income})


# --- per employer -----------------------------------------------------------------------------


def employer_figures(
    account: AccountProfile, employer: EmployerSummary, *, as_of: date, stale: bool
) -> EmployerFigures:
    """The figures of one account, given its :class:`EmployerSummary` (for the frequency)."""
    paystubs = _dated_newest_first(account.paystubs)
    return EmployerFigures(
        account_ids=[account.account.id],
        stale=stale,
        tenure=tenure(account.employment, paystubs, as_of=as_of, current=employer.current),
        pay_rate=pay_rate(account.income, paystubs),
        pay_frequency=employer.pay_frequency_inferred or employer.pay_frequency_reported,
        year_to_date=year_to_date(account.paystubs, account.employment),
        last_paystubs=last_paystubs(account.paystubs),
    )


def tenure(
    employment: Employment | None,
    paystubs: Sequence[Paystub],
    *,
    as_of: date,
    current: bool,
) -> Tenure | None:
    """Employment start to termination (or ``as_of``); else the paystubs read, as a lower bound.

    ``paystubs`` newest first, each with a pay date. Without an employment start date, the
    oldest pay date is the start and the end is ``as_of`` for a current employer, else the
    newest pay date.
    """
    start = employment.start_date if employment is not None else None
    end = employment.termination_date if employment is not None else None
    if start is not None:
        months = whole_months_between(start, end or as_of)
        return Tenure(start_date=start, end_date=end, months=months, basis="employment")
    if not paystubs:
        return None
    oldest, newest = _pay_date(paystubs[-1]), _pay_date(paystubs[0])
    end = end or (None if current else newest)
    months = whole_months_between(oldest, end or as_of)
    return Tenure(start_date=oldest, end_date=end, months=months, basis="paystubs")


def pay_rate(income: Income | None, paystubs: Sequence[Paystub]) -> PayRate | None:
    """The income's compensation; without one, the newest paystub's hourly earning rate."""
    if income is not None:
        amount = getattr(income, "compensation_amount", None)
        unit = getattr(income, "compensation_unit", None)
        if amount is not None and unit:
            return PayRate(amount=amount, currency=income.currency, unit=unit, basis="income")
    for paystub in paystubs:  # newest first
        rates = [e for e in paystub.earnings if e.rate is not None]
        if rates:
            hourly = next((e for e in rates if e.category == "hourly"), rates[0])
            assert hourly.rate is not None
            return PayRate(
                amount=hourly.rate, currency=paystub.currency, unit="hourly", basis="paystub"
            )
    return None


def year_to_date(
    paystubs: Iterable[Paystub], employment: Employment | None = None
) -> YearToDate | None:
    """Year to date as reported by the newest paystub and as summed from the paystubs read.

    The newest paystub is the one with the latest pay date; when several share it, the reported
    figures are the largest ``*_ytd`` among them (the one that counts them all).
    """
    dated = _dated_newest_first(paystubs)
    if not dated:
        return None
    newest_date = _pay_date(dated[0])
    currency = dated[0].currency.upper()
    year = newest_date.year
    in_year = [
        p
        for p in dated
        if _pay_date(p).year == year
        and _pay_date(p) <= newest_date
        and p.currency.upper() == currency
    ]
    on_newest = [p for p in in_year if _pay_date(p) == newest_date]
    gross_reported = _max_or_none(p.gross_pay_ytd for p in on_newest)
    net_reported = _max_or_none(p.net_pay_ytd for p in on_newest)
    gross_known = [p.gross_pay_amount for p in in_year if p.gross_pay_amount is not None]
    net_known = [p.net_pay_amount for p in in_year if p.net_pay_amount is not None]
    gross_summed = sum(gross_known) if gross_known else None
    net_summed = sum(net_known) if net_known else None
    oldest = _pay_date(dated[-1])
    start = employment.start_date if employment is not None else None
    covers = oldest < date(year, 1, 1) or (
        start is not None and start.year == year and (oldest - start).days <= YEAR_START_SLACK_DAYS
    )
    return YearToDate(
        year=year,
        currency=currency,
        as_of_pay_date=newest_date,
        gross_reported=gross_reported,
        net_reported=net_reported,
        gross_summed=gross_summed,
        net_summed=net_summed,
        gross_difference=_difference(gross_reported, gross_summed),
        net_difference=_difference(net_reported, net_summed),
        paystubs=len(in_year),
        paystubs_missing_gross=len(in_year) - len(gross_known),
        paystubs_missing_net=len(in_year) - len(net_known),
        history_covers_year=covers,
    )


def last_paystubs(paystubs: Iterable[Paystub], count: int = LAST_PAYSTUBS) -> list[PaystubBrief]:
    """The ``count`` newest paystubs in short; paystubs without a pay date sort last."""
    ordered = sorted(
        paystubs,
        key=lambda p: (p.pay_date is not None, p.pay_date or date.min, p.id),
        reverse=True,
    )
    return [
        PaystubBrief(
            paystub_id=p.id,
            pay_date=p.pay_date,
            pay_period_start=p.pay_period_start,
            pay_period_end=p.pay_period_end,
            currency=p.currency.upper(),
            gross=p.gross_pay_amount,
            net=p.net_pay_amount,
        )
        for p in ordered[:count]
    ]


# --- per user ---------------------------------------------------------------------------------


def income_figures(
    accounts: Sequence[AccountProfile],
    employers: Sequence[EmployerSummary],
    *,
    as_of: date,
    stale_account_ids: Collection[str] = frozenset(),
) -> IncomeFigures:
    """Gaps, stability over 3, 6 and 12 months and the trend, across the user's accounts."""
    frequencies = {
        e.account_id: e.pay_frequency_inferred
        for e in employers
        if e.pay_frequency_inferred is not None
    }
    dated = [
        (account.account.id, p)
        for account in accounts
        for p in account.paystubs
        if p.pay_date is not None
    ]
    newest = max(dated, key=lambda item: (_pay_date(item[1]), item[1].id), default=None)
    currency = newest[1].currency.upper() if newest is not None else None
    pays = [
        Pay(account_id, _pay_date(p), p.gross_pay_amount)
        for account_id, p in dated
        if p.currency.upper() == currency
    ]
    refreshed = {
        account.account.id: refreshed_at.date()
        for account in accounts
        if (refreshed_at := account.account.data_refreshed_at.paystubs) is not None
    }
    gaps = pay_gaps(
        accounts,
        frequencies,
        as_of=as_of,
        current={e.account_id for e in employers if e.current},
        paystubs_read_until=refreshed,
        stale_account_ids=stale_account_ids,
    )
    # One pass over the paystubs for the longest window; the shorter ones are its first months.
    series = monthly_income(
        pays,
        frequencies,
        month_windows(as_of, max(*STABILITY_MONTHS, 2 * TREND_MONTHS)),
        unknown_after=_unknown_after(stale_account_ids, refreshed),
    )
    oldest = min((pay.day for pay in pays), default=None)
    return IncomeFigures(
        gaps=gaps,
        stability=[
            stability(
                series[:months],
                oldest_pay_date=oldest,
                currency=currency,
                account_ids=_sources(pays, series[months - 1].start),
                stale_account_ids=stale_account_ids,
            )
            for months in STABILITY_MONTHS
        ],
        trend=trend(
            series[: 2 * TREND_MONTHS],
            oldest_pay_date=oldest,
            currency=currency,
            account_ids=_sources(pays, series[2 * TREND_MONTHS - 1].start),
            stale_account_ids=stale_account_ids,
        ),
        paystubs_other_currency=len(dated) - len(pays),
    )


def missing_periods(days: int, frequency: PayFrequency) -> int:
    """Pay periods missing in ``days`` between two pay dates: ``round(days / period) - 1``.

    Halves round up, and the result is never negative: at ``weekly`` 10 days is none missing,
    11 days is one.
    """
    period = PERIOD_DAYS[frequency]
    return max(int(days / period + 0.5) - 1, 0)


def pay_gaps(
    accounts: Sequence[AccountProfile],
    frequencies: dict[str, PayFrequency],
    *,
    as_of: date,
    current: Collection[str] = (),
    paystubs_read_until: dict[str, date] | None = None,
    stale_account_ids: Collection[str] = (),
) -> PayGaps:
    """Missing pay periods of every account with a regular inferred frequency.

    Between consecutive distinct pay dates, and, for a current employer, from the newest pay
    date to ``as_of`` (or to the day the paystubs were last read, when that is earlier: pay
    after it is unknown, not missing).
    """
    read_until = paystubs_read_until or {}
    found: list[PayGap] = []
    sources: list[str] = []
    unplaced = 0
    for account in accounts:
        account_id = account.account.id
        frequency = frequencies.get(account_id)
        if frequency not in PERIOD_DAYS:
            continue
        assert frequency is not None
        sources.append(account_id)
        status = account.status.get("paystubs")
        unplaced += sum(1 for p in account.paystubs if p.pay_date is None)
        unplaced += status.unreadable if status is not None else 0
        dates = sorted({p.pay_date for p in account.paystubs if p.pay_date is not None})
        spans: list[tuple[date, date | None, int]] = [
            (older, newer, (newer - older).days) for older, newer in pairwise(dates)
        ]
        if dates and account_id in current:
            until = min(as_of, read_until.get(account_id, as_of))
            spans.append((dates[-1], None, (until - dates[-1]).days))
        for after, before, days in spans:
            missing = missing_periods(days, frequency)
            if missing:
                found.append(
                    PayGap(
                        account_id=account_id,
                        frequency=frequency,
                        after=after,
                        before=before,
                        days=days,
                        missing_periods=missing,
                    )
                )
    return PayGaps(
        account_ids=sources,
        stale=any(a in stale_account_ids for a in sources),
        gaps=found,
        missing_periods=sum(g.missing_periods for g in found),
        paystubs_unplaced=unplaced,
    )


def month_windows(as_of: date, months: int) -> list[tuple[date, date]]:
    """The last ``months`` months as ``(start, end]`` windows, newest first.

    Month ``k`` runs from ``as_of`` minus ``k + 1`` calendar months (exclusive) to ``as_of``
    minus ``k`` months (inclusive); a day that the month lacks becomes its last day
    (2025-03-31 minus one month is 2025-02-28).
    """
    return [(_months_before(as_of, k + 1), _months_before(as_of, k)) for k in range(months)]


class Pay(NamedTuple):
    """One dated paystub, reduced to what the monthly figures need."""

    account_id: str
    day: date
    gross: int | None


def monthly_income(
    pays: Sequence[Pay],
    frequencies: dict[str, PayFrequency],
    windows: Sequence[tuple[date, date]],
    *,
    unknown_after: dict[str, date] | None = None,
) -> list[MonthlyIncome]:
    """Gross and normalised income of each month of ``windows`` (newest first).

    A month holding a pay without a gross amount is left out (``"missing_amount"``), and so is
    a month ending more than 7 days after the last read of a stale account with pay in the
    windows (``unknown_after``: ``"not_read"``, its pay since is unknown, not zero).
    """
    if not windows:
        return []
    starts = [start for start, _ in reversed(windows)]  # oldest first, for bisect
    first, last = windows[-1][0], windows[0][1]
    buckets: list[list[Pay]] = [[] for _ in windows]
    for pay in pays:
        if first < pay.day <= last:
            index = len(windows) - bisect_left(starts, pay.day)  # start < day <= end
            buckets[index].append(pay)
    unknown = unknown_after or {}
    sources = dict.fromkeys(pay.account_id for bucket in buckets for pay in bucket)
    series = []
    for (start, end), in_month in zip(windows, buckets, strict=True):
        excluded: Literal["missing_amount", "not_read"] | None = None
        if any(pay.gross is None for pay in in_month):
            excluded = "missing_amount"
        elif any(
            a in unknown and unknown[a] < end - timedelta(days=READ_SLACK_DAYS) for a in sources
        ):
            excluded = "not_read"
        if excluded is not None:
            series.append(
                MonthlyIncome(start=start, end=end, paystubs=len(in_month), excluded=excluded)
            )
            continue
        by_account: dict[str, list[int]] = {}
        for pay in in_month:
            assert pay.gross is not None
            by_account.setdefault(pay.account_id, []).append(pay.gross)
        normalized = 0
        for account_id, amounts in by_account.items():
            periods = PERIODS_PER_YEAR.get(frequencies.get(account_id) or "")
            if periods is None:
                normalized += sum(amounts)
            else:
                normalized += divide_half_even(sum(amounts) * periods, len(amounts) * 12)
        series.append(
            MonthlyIncome(
                start=start,
                end=end,
                gross=sum(sum(a) for a in by_account.values()),
                normalized=normalized,
                paystubs=len(in_month),
            )
        )
    return series


def stability(
    series: Sequence[MonthlyIncome],
    *,
    oldest_pay_date: date | None,
    currency: str | None,
    account_ids: Sequence[str] = (),
    stale_account_ids: Collection[str] = (),
) -> Stability:
    """The coefficient of variation of the months' normalised income (``series``, newest
    first, from :func:`monthly_income`).

    Computed when the paystubs read reach the window's oldest month (``oldest_pay_date`` on or
    before its end), at least 2 months are not left out, and their mean is positive.
    """
    months = len(series)
    base: dict[str, Any] = {
        "months": months,
        "currency": currency,
        "account_ids": list(account_ids),
        "stale": any(a in stale_account_ids for a in account_ids),
    }
    if not _covers(oldest_pay_date, series):
        return Stability(**base, reason=f"the paystubs read do not cover {months} months")
    values = [m.normalized for m in series if m.normalized is not None]
    excluded = months - len(values)
    if len(values) < 2:
        return Stability(
            **base,
            monthly=list(series),
            months_excluded=excluded,
            reason="fewer than 2 months with every amount known",
        )
    mean = statistics.fmean(values)
    if mean <= 0:
        return Stability(
            **base,
            monthly=list(series),
            months_excluded=excluded,
            reason="no income in the window",
        )
    cv = round(statistics.pstdev(values) / mean, 4)
    return Stability(
        **base,
        cv=cv,
        label=_stability_label(cv),
        mean_monthly=divide_half_even(sum(values), len(values)),
        monthly=list(series),
        months_excluded=excluded,
    )


def trend(
    series: Sequence[MonthlyIncome],
    *,
    oldest_pay_date: date | None,
    currency: str | None,
    account_ids: Sequence[str] = (),
    stale_account_ids: Collection[str] = (),
) -> Trend:
    """Mean normalised monthly income of the newest half of ``series`` (3 months) against the
    older half."""
    half = len(series) // 2
    base: dict[str, Any] = {
        "currency": currency,
        "account_ids": list(account_ids),
        "stale": any(a in stale_account_ids for a in account_ids),
    }
    if not _covers(oldest_pay_date, series):
        return Trend(**base, reason=f"the paystubs read do not cover {len(series)} months")
    recent = [m.normalized for m in series[:half] if m.normalized is not None]
    prior = [m.normalized for m in series[half:] if m.normalized is not None]
    if not recent or not prior:
        return Trend(**base, reason="a half of the window has no month with every amount known")
    recent_mean = divide_half_even(sum(recent), len(recent))
    prior_mean = divide_half_even(sum(prior), len(prior))
    if prior_mean <= 0:
        return Trend(
            **base,
            recent_monthly=recent_mean,
            prior_monthly=prior_mean,
            reason=f"no income in the earlier {len(series) - half} months",
        )
    change = round((recent_mean - prior_mean) / prior_mean, 4)
    direction: TrendDirection = (
        "rising" if change > TREND_THRESHOLD else "falling" if change < -TREND_THRESHOLD else "flat"
    )
    return Trend(
        **base,
        recent_monthly=recent_mean,
        prior_monthly=prior_mean,
        change=change,
        direction=direction,
    )


def _covers(oldest_pay_date: date | None, series: Sequence[MonthlyIncome]) -> bool:
    # Read far enough back: the oldest paystub is in the window's oldest month or before it.
    return bool(series) and oldest_pay_date is not None and oldest_pay_date <= series[-1].end


def _sources(pays: Iterable[Pay], after: date) -> list[str]:
    """The accounts with pay after ``after``, in account order."""
    return list(dict.fromkeys(pay.account_id for pay in pays if pay.day > after))


# --- small helpers ----------------------------------------------------------------------------


def _unknown_after(
    stale_account_ids: Collection[str], read_until: dict[str, date] | None
) -> dict[str, date]:
    return {a: day for a, day in (read_until or {}).items() if a in stale_account_ids}


def _stability_label(cv: float) -> StabilityLabel:
    if cv < STABLE_BELOW:
        return "stable"
    return "variable" if cv < VARIABLE_BELOW else "volatile"


def _pay_date(paystub: Paystub) -> date:
    # Only called on paystubs already known to have one.
    assert paystub.pay_date is not None
    return paystub.pay_date


def _dated_newest_first(paystubs: Iterable[Paystub]) -> list[Paystub]:
    return sorted(
        (p for p in paystubs if p.pay_date is not None),
        key=lambda p: (_pay_date(p), p.id),
        reverse=True,
    )


def _max_or_none(values: Iterable[int | None]) -> int | None:
    return max((v for v in values if v is not None), default=None)


def _difference(reported: int | None, summed: int | None) -> int | None:
    if reported is None or summed is None or reported == summed:
        return None
    return reported - summed


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))
