"""Paystubs and their line items: taxes, deductions, earnings and time-off balances.

Every amount is integer cents in the paystub's ``currency``; line items carry no currency of
their own, so :meth:`Paystub.money` turns any of them into :class:`~payroll_sdk.models.Money`::

    stub.gross_pay                      # Money(amount=480720, currency='USD')
    str(stub.money(stub.taxes[0].amount))  # 'USD 612.45'
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ._base import Cents, Currency, Money, PayrollModel
from ._envelope import ListResponse, ObjectResponse

__all__ = [
    "Deduction",
    "DeductionCategory",
    "DeductionType",
    "Earning",
    "EarningCategory",
    "Paystub",
    "PaystubDocument",
    "PaystubPage",
    "PaystubResponse",
    "Tax",
    "TaxCategory",
    "TimeOff",
    "TimeOffCategory",
]

TaxCategory = (
    Literal[
        "federal_income", "social_security", "medicare", "state_income", "local_income", "other"
    ]
    | str
)
"""Kind of tax withheld. Open: unknown values stay strings."""

DeductionCategory = (
    Literal[
        "retirement",
        "medical_insurance",
        "hsa",
        "fsa",
        "dental",
        "vision",
        "life_insurance",
        "disability",
        "child_support",
        "commuter",
        "union_dues",
        "stock",
        "charity",
        "savings",
        "tips",
        "wage_garnishment",
        "lending",
        "company_perk",
        "tax",
        "loan",
        "job_expense",
        "other",
        "fees",
        "reallocation",
        "retro_pay",
    ]
    | str
)
"""Kind of deduction. Open: unknown values stay strings."""

DeductionType = Literal["pre_tax", "post_tax", "unknown"] | str
"""Whether a deduction is taken before or after tax. Open: unknown values stay strings."""

EarningCategory = (
    Literal[
        "salary",
        "hourly",
        "overtime",
        "double_overtime",
        "premium",
        "bonus",
        "commission",
        "tips",
        "vacation",
        "holiday",
        "pto",
        "sick",
        "employer_contribution",
        "other",
        "fare",
        "unpaid",
        "parental",
        "shift_differential",
        "bereavement",
        "life_insurance",
        "stock",
        "retirement",
        "medical",
        "meal_comp",
        "disability",
        "retro_pay",
    ]
    | str
)
"""Kind of earning (paystub and shift earnings share it). Open: unknown values stay strings."""

TimeOffCategory = Literal["pto", "sick", "other"] | str
"""Kind of time-off balance. Open: unknown values stay strings."""


class Tax(PayrollModel):
    """A tax withheld on a paystub (wire schema ``TaxObjPublicResponseItem``).

    ``amount`` is in cents.
    """

    name: str | None = None
    category: TaxCategory | None = None
    amount: Cents | None = None


class Deduction(PayrollModel):
    """A deduction on a paystub (wire schema ``DeductionObjPublicResponseItem``).

    ``amount`` is in cents; ``type`` says whether it was taken before or after tax.
    """

    name: str | None = None
    category: DeductionCategory | None = None
    amount: Cents | None = None
    type: DeductionType | None = None


class Earning(PayrollModel):
    """An earning line on a paystub (wire schema ``EarningObjPublicResponseItem``).

    ``amount`` and the hourly ``rate`` are cents; ``hours`` is a (fractional) number of hours.
    """

    name: str | None = None
    category: EarningCategory | None = None
    amount: Cents | None = None
    rate: Cents | None = None
    hours: float | None = None


class TimeOff(PayrollModel):
    """A time-off balance on a paystub, in hours (wire schema ``TimeOffObjPublicResponseItem``)."""

    name: str | None = None
    category: TimeOffCategory | None = None
    available_hours: float | None = None
    earned_hours: float | None = None
    used_hours: float | None = None


class PaystubDocument(PayrollModel):
    """The paystub's document (a PDF) (wire schema ``DocumentObjPublicResponseItem``).

    ``download_url`` grants access until ``download_url_expiration``, so it is masked in
    ``repr()`` like personal data.
    """

    __masked_fields__ = frozenset({"download_url"})

    id: str
    download_url: str | None = None
    download_url_expiration: datetime | None = None


class Paystub(PayrollModel):
    """One paystub (wire schema ``PaystubObjResponse_v2022_03_02``).

    All ``*_amount``, ``total_*`` and ``*_ytd`` fields are integer cents in ``currency``;
    :attr:`gross_pay`, :attr:`net_pay` and :meth:`money` give :class:`Money` values.

    Real data omits values the contract requires, so everything but ``id``, ``account_id`` and
    ``currency`` may be ``None`` (line-item lists default to empty): a missing amount is
    ``None``, never ``0`` (see ``docs/data-quality.md``).
    """

    id: str
    account_id: str
    currency: Currency
    created_at: datetime | None = None
    pay_date: date | None = None
    gross_pay_amount: Cents | None = None
    net_pay_amount: Cents | None = None
    check_amount: Cents | None = None
    total_taxes: Cents | None = None
    total_deductions: Cents | None = None
    total_reimbursements: Cents | None = None
    taxes: list[Tax] = Field(default_factory=list)
    deductions: list[Deduction] = Field(default_factory=list)
    earnings: list[Earning] = Field(default_factory=list)
    time_off: list[TimeOff] = Field(default_factory=list)
    pay_period_start: date | None = None
    pay_period_end: date | None = None
    gross_pay_ytd: Cents | None = None
    net_pay_ytd: Cents | None = None
    external_paystub_id: str | None = None
    employer_name: str | None = None
    document: PaystubDocument | None = None

    def money(self, amount: int) -> Money:
        """Return ``amount`` (cents, e.g. a tax's ``amount``) as :class:`Money` in this currency."""
        return Money(amount, self.currency)

    @property
    def gross_pay(self) -> Money | None:
        """Earnings before taxes and deductions (``gross_pay_amount``); None when not sent."""
        return None if self.gross_pay_amount is None else self.money(self.gross_pay_amount)

    @property
    def net_pay(self) -> Money | None:
        """Earnings after taxes and deductions (``net_pay_amount``); None when not sent."""
        return None if self.net_pay_amount is None else self.money(self.net_pay_amount)


PaystubResponse = ObjectResponse[Paystub]
"""``GET /accounts/{account_id}/paystubs/{paystub_id}``."""

PaystubPage = ListResponse[Paystub]
"""A page of ``GET /accounts/{account_id}/paystubs`` (newest ``pay_date`` first)."""
