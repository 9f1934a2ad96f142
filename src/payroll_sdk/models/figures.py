"""Verification figures: what an underwriter or caseworker reads first.

Computed by :mod:`payroll_sdk.aggregation._figures` (pure functions) and carried by the summary:
:attr:`EmployerSummary.figures <payroll_sdk.models.summary.EmployerSummary.figures>` per account
(tenure, latest pay rate, year to date, last two paystubs) and
:attr:`ProfileSummary.income <payroll_sdk.models.summary.ProfileSummary.income>` per user (pay
gaps, income stability, trend). Every formula is in ``docs/profile.md`` ("Verification figures").

Every figure says where it came from (``account_ids``) and whether it can be trusted as current
(``stale``: at least one of those accounts is stale or disconnected). ``None`` always means
"cannot be computed from what was read", never zero.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from ._base import Cents, Currency, PayrollModel
from .income import PayFrequency

__all__ = [
    "EmployerFigures",
    "IncomeFigures",
    "MonthlyIncome",
    "PayGap",
    "PayGaps",
    "PayRate",
    "PaystubBrief",
    "Stability",
    "StabilityLabel",
    "Tenure",
    "Trend",
    "TrendDirection",
    "YearToDate",
]

StabilityLabel = Literal["stable", "variable", "volatile"]
"""The coefficient of variation in words: < 0.15 stable, < 0.35 variable, else volatile."""

TrendDirection = Literal["rising", "flat", "falling"]
"""The 3-month trend in words: more than 10% up is rising, more than 10% down falling."""


class _FigureModel(PayrollModel):
    # Computed by the SDK, never sent by an API: an unknown keyword is a bug, not a new field.
    model_config = ConfigDict(extra="forbid")


class _Sourced(_FigureModel):
    #: The accounts the figure was computed from, in account order.
    account_ids: list[str] = Field(default_factory=list)
    #: True when any of those accounts is stale or disconnected: the figure may not be current.
    stale: bool = False


class Tenure(_FigureModel):
    """How long the person has worked for the employer.

    ``basis`` says where ``start_date`` comes from: the employment record (``"employment"``) or,
    without one, the oldest paystub read (``"paystubs"``, a lower bound: the history fetched may
    not reach the start). ``end_date`` is the termination date, ``None`` while employed.
    """

    start_date: date
    end_date: date | None = None
    months: int
    basis: Literal["employment", "paystubs"]


class PayRate(_FigureModel):
    """The latest pay rate: ``amount`` cents per ``unit`` (``"hourly"``, ``"annually"`` ...).

    ``basis`` is ``"income"`` (the income resource's compensation) or ``"paystub"`` (the hourly
    rate of the newest paystub's first earning line that has one).
    """

    amount: Cents
    currency: Currency
    unit: str
    basis: Literal["income", "paystub"]


class YearToDate(_FigureModel):
    """Year-to-date pay of one account, as the latest paystub reports it and as summed.

    ``year`` is the calendar year of the newest paystub (``as_of_pay_date``). ``*_reported`` are
    that paystub's ``gross_pay_ytd``/``net_pay_ytd`` (``None`` when it has none);
    ``*_summed`` add the paystubs of that year (in the newest one's currency) up to it; paystubs
    without the amount are left out and counted in ``paystubs_missing_gross`` (``_net``).
    ``*_difference`` is reported minus summed, set only when both are known and differ.
    ``history_covers_year`` is false when the paystubs read may not reach back to the year's
    first pay date (nothing read before January 1 and no employment start within the year):
    the sum is then a lower bound, which explains a positive difference.
    """

    year: int
    currency: Currency
    as_of_pay_date: date
    gross_reported: Cents | None = None
    net_reported: Cents | None = None
    gross_summed: Cents | None = None
    net_summed: Cents | None = None
    gross_difference: Cents | None = None
    net_difference: Cents | None = None
    paystubs: int = 0
    paystubs_missing_gross: int = 0
    paystubs_missing_net: int = 0
    history_covers_year: bool = False


class PaystubBrief(_FigureModel):
    """One paystub in short: the dates and the gross and net pay (``None`` when missing)."""

    paystub_id: str
    pay_date: date | None = None
    pay_period_start: date | None = None
    pay_period_end: date | None = None
    currency: Currency
    gross: Cents | None = None
    net: Cents | None = None


class EmployerFigures(_Sourced):
    """The verification figures of one account (``account_ids`` is that one account)."""

    tenure: Tenure | None = None
    pay_rate: PayRate | None = None
    #: The inferred pay frequency, else the reported one.
    pay_frequency: PayFrequency | None = None
    year_to_date: YearToDate | None = None
    #: The two newest paystubs, newest first (paystubs without a pay date come last).
    last_paystubs: list[PaystubBrief] = Field(default_factory=list)


class PayGap(_FigureModel):
    """Pay periods missing between two pay dates of one account (or after the last one).

    ``before`` is ``None`` for an open gap: no pay since ``after`` up to the summary's
    ``as_of`` for an employer that is still current.
    """

    account_id: str
    frequency: PayFrequency
    after: date
    before: date | None = None
    days: int
    missing_periods: int


class PayGaps(_Sourced):
    """Missing pay periods against each account's inferred frequency.

    Accounts without a regular inferred frequency (weekly, bi-weekly, semi-monthly, monthly)
    cannot have gaps and are not in ``account_ids``.
    """

    gaps: list[PayGap] = Field(default_factory=list)
    missing_periods: int = 0
    #: Paystubs of these accounts that cannot be placed in time: records without a pay date,
    #: and records that could not be read at all. A gap may be one of them.
    paystubs_unplaced: int = 0


class MonthlyIncome(_FigureModel):
    """One month of the stability window: ``start < pay_date <= end``.

    ``gross`` is the sum of gross pay in the month; ``normalized`` the monthly equivalent that
    the coefficient of variation uses (each account's average paycheck times its periods per
    year / 12, so that a third bi-weekly paycheck in a month is not read as a raise).
    Both are ``None`` when the month is left out, and ``excluded`` says why: a paystub of the
    month has no gross amount (``"missing_amount"``), or the month ends more than 7 days after
    a stale account's paystubs were last read (``"not_read"``: its pay since is unknown, not
    zero).
    """

    start: date
    end: date
    gross: Cents | None = None
    normalized: Cents | None = None
    paystubs: int = 0
    excluded: Literal["missing_amount", "not_read"] | None = None


class Stability(_Sourced):
    """Income stability over the last ``months`` months: the coefficient of variation.

    ``cv`` is the population standard deviation of the months' ``normalized`` income divided by
    their mean, rounded to 4 places; ``None`` (with ``reason``) when the paystubs read do not
    cover the window, fewer than 2 months are usable, or the mean is zero.
    """

    months: int
    currency: Currency | None = None
    cv: float | None = None
    label: StabilityLabel | None = None
    mean_monthly: Cents | None = None
    monthly: list[MonthlyIncome] = Field(default_factory=list)
    months_excluded: int = 0
    reason: str | None = None


class Trend(_Sourced):
    """The last 3 months' mean normalised monthly income against the 3 months before.

    ``change`` is ``(recent - prior) / prior``, rounded to 4 places.
    """

    currency: Currency | None = None
    recent_monthly: Cents | None = None
    prior_monthly: Cents | None = None
    change: float | None = None
    direction: TrendDirection | None = None
    reason: str | None = None


class IncomeFigures(_FigureModel):
    """The per-user figures: pay gaps, stability over 3, 6 and 12 months, and the trend.

    Income figures use one currency, that of the newest paystub of any account; paystubs in
    other currencies are left out and counted in ``paystubs_other_currency``.
    """

    gaps: PayGaps = Field(default_factory=PayGaps)
    stability: list[Stability] = Field(default_factory=list)
    trend: Trend = Field(default_factory=Trend)
    paystubs_other_currency: int = 0
