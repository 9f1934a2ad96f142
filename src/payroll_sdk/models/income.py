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
    account_id: str
    currency: Currency
    created_at: datetime | None = None
    updated_at: datetime | None = None
    compensation_amount: Cents | None = None
    compensation_unit: CompensationUnit | None = None
    pay_frequency: PayFrequency | None = None

    @property
    def compensation(self) -> Money | None:
        """``compensation_amount`` in ``currency`` (per ``compensation_unit``); None if not sent."""
        if self.compensation_amount is None:
            return None
        return Money(self.compensation_amount, self.currency)


IncomeResponse = ObjectResponse[Income]
"""``GET /accounts/{account_id}/income``."""
