"""Income: how much a person is paid per unit of time, and how often."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ._base import Cents, Currency, Money, PayrollModel
from ._envelope import ObjectResponse

__all__ = ["CompensationUnit", "Income", "IncomeResponse", "PayFrequency"]

CompensationUnit = (
    Literal[
        "hourly",
        "daily",
        "weekly",
        "bi-weekly",
        "semi-weekly",
        "monthly",
        "semi-monthly",
        "annually",
        "variable",
        "per_mile",
    ]
    | str
)
"""The period ``compensation_amount`` is paid per. Open: unknown values stay strings."""

PayFrequency = Literal["daily", "weekly", "bi-weekly", "monthly", "semi-monthly", "variable"] | str
"""How often the employee is paid. Open: unknown values stay strings."""


class Income(PayrollModel):
    """Compensation rate of an account (wire schema ``IncomeObjResponse``).

    ``compensation_amount`` is integer cents per ``compensation_unit`` (``2650`` per
    ``"hourly"`` is $26.50 an hour); :attr:`compensation` gives it as :class:`Money`.
    """

    id: str
    created_at: datetime
    updated_at: datetime
    account_id: str
    compensation_amount: Cents
    compensation_unit: CompensationUnit
    currency: Currency
    pay_frequency: PayFrequency | None = None

    @property
    def compensation(self) -> Money:
        """``compensation_amount`` in ``currency`` (per ``compensation_unit``)."""
        return Money(self.compensation_amount, self.currency)


IncomeResponse = ObjectResponse[Income]
"""``GET /accounts/{account_id}/income``."""
