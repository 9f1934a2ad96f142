"""The profile summary: figures computed client-side from a merged profile.

:func:`payroll_sdk.aggregation._summary.summarize` builds a :class:`ProfileSummary`; every
formula is documented in ``docs/profile.md`` ("The summary and its formulas").

Money stays integer cents with its currency, as :class:`Amount` (a pydantic model, so the
summary round-trips through ``model_dump_json``/``model_validate_json``); amounts in different
currencies are never added together, so totals are lists with one :class:`Amount` per currency,
sorted by currency code.

The summary is meant to be printed, so it holds no SSN, date of birth or address, and bank
numbers only masked (:class:`DepositDestination` masks them on construction, whatever it is
given). Names, emails and phone numbers are kept (they are what identity matching needs) but
masked in ``repr()`` like on :class:`~payroll_sdk.models.Identity`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal

from pydantic import ConfigDict, Field, field_validator

from ._base import Cents, Currency, Money, PayrollModel
from .direct_deposit import AccountType, AllocationType
from .employment import EmploymentStatus
from .figures import EmployerFigures, IncomeFigures
from .income import PayFrequency

FreshnessVerdict = Literal["fresh", "stale", "disconnected", "unknown"]
"""Whether an account's data may be shown as current (see :class:`Freshness`):

- ``fresh``: connected, monitored (``monitoring_status`` ``active``), and every resource read
  was refreshed within ``stale_after``;
- ``disconnected``: ``connected`` is false or ``monitoring_status`` is not ``active``: the API
  no longer keeps the data current, however recent it is;
- ``stale``: a resource read was last refreshed longer ago than ``stale_after``;
- ``unknown``: the API did not say (no ``connected``/``monitoring_status``, or no refresh time).
"""

__all__ = [
    "Amount",
    "AnnualizedMethod",
    "DepositDestination",
    "EmployerSummary",
    "ProfileSummary",
    "SourcedValue",
    "YearlyPay",
]

AnnualizedMethod = Literal["trailing_12_months", "recent_pay_x_frequency", "income_rate"]
"""Which rule produced an annualized income (the first that applies, in this order)."""


class _SummaryModel(PayrollModel):
    # Computed by the SDK, never sent by an API: an unknown keyword is a bug, not a new field.
    model_config = ConfigDict(extra="forbid")


class Amount(_SummaryModel):
    """An amount of money in a summary: integer minor units (cents) and an ISO 4217 code.

    The serialisable twin of :class:`~payroll_sdk.models.Money`::

        >>> total = Amount(amount=480720, currency="USD")
        >>> str(total), total.decimal
        ('USD 4,807.20', Decimal('4807.20'))
        >>> total.money
        Money(amount=480720, currency='USD')
    """

    model_config = ConfigDict(frozen=True)

    amount: Cents
    currency: Currency

    @field_validator("currency")
    @classmethod
    def _upper_case_currency(cls, value: str) -> str:
        # As Money does, so that Amount(…, "usd") and Amount(…, "USD") compare equal.
        return value.upper()

    @classmethod
    def of(cls, money: Money) -> Amount:
        """Build an :class:`Amount` from a :class:`~payroll_sdk.models.Money`."""
        return cls(amount=money.amount, currency=money.currency)

    @property
    def money(self) -> Money:
        """This amount as :class:`~payroll_sdk.models.Money` (supports ``+``, ``-``, ``sum``)."""
        return Money(self.amount, self.currency)

    @property
    def decimal(self) -> Decimal:
        """The amount in major units (dollars), exact."""
        return self.money.decimal

    def __str__(self) -> str:
        return str(self.money)


class SourcedValue(_SummaryModel):
    """An identity value (a name, an email, a phone number) and the accounts that report it.

    ``value`` is the first spelling seen; ``account_ids`` lists every account whose identity
    holds the same value after normalisation, in account order. ``value`` is masked in
    ``repr()``.
    """

    __masked_fields__ = frozenset({"value"})

    value: str
    account_ids: list[str]


class YearlyPay(_SummaryModel):
    """Pay of one calendar year (by paystub ``pay_date``) in one currency.

    ``gross`` and ``net`` are integer cents in ``currency``, summed over the paystubs that
    carry them; ``paystubs`` counts the paystubs. ``partial`` is true when the total is not a
    whole year's: the history starts after the year began (``gross_pay_ytd`` on the first
    paystub shows earlier pay, or its pay date is later than one pay period into the year),
    the year is still running (year to date), or some paystubs carry no amount.
    ``partial_reason`` says which, in words.
    """

    year: int
    currency: Currency
    gross: Cents
    net: Cents
    paystubs: int
    partial: bool = False
    partial_reason: str | None = None

    @property
    def gross_pay(self) -> Money:
        """``gross`` as :class:`~payroll_sdk.models.Money`."""
        return Money(self.gross, self.currency)

    @property
    def net_pay(self) -> Money:
        """``net`` as :class:`~payroll_sdk.models.Money`."""
        return Money(self.net, self.currency)


class EmployerSummary(_SummaryModel):
    """The figures of one payroll account (one employer as that account knows it).

    ``None`` means "cannot be computed from the data read" (no employment, no paystubs in the
    window, ...), never zero.
    """

    account_id: str
    employer_name: str | None = None
    #: The employment status reported by the API (``"employed"``, ``"terminated"``, ...).
    status: EmploymentStatus | None = None
    #: Whether the account counts as a current employer (see ``docs/profile.md``).
    current: bool = False
    start_date: date | None = None
    termination_date: date | None = None
    #: Whole months from ``start_date`` to ``termination_date`` (or the summary's ``as_of``).
    months_employed: int | None = None
    #: Newest year first; within a year, by currency.
    pay_by_year: list[YearlyPay] = Field(default_factory=list)
    latest_pay_date: date | None = None
    pay_frequency_inferred: PayFrequency | None = None
    pay_frequency_reported: PayFrequency | None = None
    pay_frequency_matches: bool | None = None
    average_monthly_gross_3m: Amount | None = None
    average_monthly_net_3m: Amount | None = None
    annualized_income: Amount | None = None
    annualized_method: AnnualizedMethod | None = None
    shift_hours_30d: float = 0.0
    shift_hours_90d: float = 0.0
    shift_earnings_30d: list[Amount] = Field(default_factory=list)
    shift_earnings_90d: list[Amount] = Field(default_factory=list)
    #: Verification figures (tenure, pay rate, year to date, last paystubs); see
    #: :mod:`payroll_sdk.models.figures`.
    figures: EmployerFigures | None = None
    #: The account's freshness verdict (``fresh``, ``stale``, ``disconnected``, ``unknown``):
    #: a ``current`` employer whose data is not ``fresh`` is not counted as current overall.
    freshness: FreshnessVerdict | None = None
    #: The oldest refresh among the account's resources read: the figures are this old.
    data_refreshed_at: datetime | None = None
    #: Records kept in the profile but left out of figures that need what they lack.
    paystubs_without_date: int = 0
    paystubs_without_amount: int = 0
    shifts_without_date: int = 0
    #: What the reader must know about these figures (data holes, staleness), in words.
    notes: list[str] = Field(default_factory=list)


_ACCOUNT_NUMBER_MASK: Final = "••"
_ROUTING_NUMBER_MASK: Final = "•••••"
_VISIBLE_DIGITS: Final = 4


def _masked(value: object, mask: str) -> object:
    # Idempotent: masking "••7731" again gives "••7731", so a summary read back from JSON
    # validates unchanged, and a full number handed in by mistake is still cut down.
    if not isinstance(value, str):
        return value  # None, or a wrong type that field validation then rejects
    digits = "".join(ch for ch in value if ch.isdigit())
    return mask + digits[-_VISIBLE_DIGITS:] if digits else None


class DepositDestination(_SummaryModel):
    """Where part of a paycheck goes, with the bank numbers masked.

    ``account_number_masked`` is ``"••"`` plus the last (up to four) digits of the account
    number and ``routing_number_masked`` is ``"•••••"`` plus the last four digits of the routing
    number. The masking happens in the model's validation, so whatever is passed in (even a full
    number), the attributes, ``model_dump()`` and ``repr()`` only ever hold the masked form.
    ``amount`` is set for ``allocation_type="amount"``, ``percentage`` (0-100) for
    ``"percentage"``; lower ``priority`` is filled first.
    """

    account_id: str
    bank_name: str | None = None
    account_type: AccountType | None = None
    account_number_masked: str | None = None
    routing_number_masked: str | None = None
    allocation_type: AllocationType
    amount: Amount | None = None
    percentage: float | None = None
    priority: int | None = None

    @field_validator("account_number_masked", mode="before")
    @classmethod
    def _mask_account_number(cls, value: object) -> object:
        return _masked(value, _ACCOUNT_NUMBER_MASK)

    @field_validator("routing_number_masked", mode="before")
    @classmethod
    def _mask_routing_number(cls, value: object) -> object:
        return _masked(value, _ROUTING_NUMBER_MASK)


class ProfileSummary(_SummaryModel):
    """Figures computed client-side from a merged profile, across all of an end user's accounts.

    Richer than a server-side verification report (which gives the two latest paystubs): the
    identity merged across accounts with provenance, one :class:`EmployerSummary` per account
    (tenure, pay by year, inferred pay frequency, 3-month averages, annualized income, shift
    hours and earnings), overall totals and the direct deposit destinations, masked.

    Windows are relative to ``as_of`` (the profile's ``fetched_at`` date): "the last N days" is
    ``as_of - N days < date <= as_of``. Money totals are lists with one :class:`Amount` per
    currency, sorted by currency code. Every field has a default, so an empty profile gives an
    empty summary rather than an error.
    """

    as_of: date | None = None
    names: list[SourcedValue] = Field(default_factory=list)
    emails: list[SourcedValue] = Field(default_factory=list)
    phone_numbers: list[SourcedValue] = Field(default_factory=list)
    #: Employer names of the current employers whose data is ``fresh``, deduplicated
    #: (case-insensitively).
    current_employers: list[str] = Field(default_factory=list)
    #: Employers that look current (employment status, recent pay) but whose data is stale,
    #: disconnected or of unknown age: not counted as current, nor in ``annualized_income``.
    unverified_employers: list[str] = Field(default_factory=list)
    #: One entry per account, in account order.
    employers: list[EmployerSummary] = Field(default_factory=list)
    latest_pay_date: date | None = None
    #: Annualized income of the current employers with ``fresh`` data, summed per currency.
    annualized_income: list[Amount] = Field(default_factory=list)
    shift_hours_30d: float = 0.0
    shift_hours_90d: float = 0.0
    shift_earnings_30d: list[Amount] = Field(default_factory=list)
    shift_earnings_90d: list[Amount] = Field(default_factory=list)
    direct_deposit_destinations: list[DepositDestination] = Field(default_factory=list)
    #: Per-user verification figures: pay gaps, income stability and trend.
    income: IncomeFigures = Field(default_factory=IncomeFigures)
    #: Every employer's notes, prefixed with the employer (or account id), then overall ones.
    notes: list[str] = Field(default_factory=list)
