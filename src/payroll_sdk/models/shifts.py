"""Shifts: periods of work (gig and hourly jobs) with clock times and per-shift earnings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field

from ._base import Cents, Currency, Money, PayrollModel
from ._envelope import ListResponse
from .paystubs import EarningCategory

__all__ = ["Shift", "ShiftEarning", "ShiftPage", "ShiftTimestamp", "ShiftType"]

ShiftType = Literal["shift", "rideshare", "delivery", "other"] | str
"""The kind of work done in a shift. Open: unknown values stay strings."""


class ShiftTimestamp(PayrollModel):
    """One clock-in/clock-out interval of a shift (wire schema ``ShiftTimestamp``).

    The wire key ``from`` is a Python keyword, so the field is ``from_``. Build it with either
    name; serialise with ``model_dump(by_alias=True)`` (or ``model_dump_json(by_alias=True)``)
    to get the wire key back.
    """

    from_: datetime = Field(alias="from")
    to: datetime

    @property
    def duration(self) -> timedelta:
        """``to - from_``. Both ends must be offset-aware (the API sends offsets) or both naive."""
        return self.to - self.from_

    @property
    def hours(self) -> float:
        """The interval's length in hours."""
        return self.duration.total_seconds() / 3600


class ShiftEarning(PayrollModel):
    """An earning of a shift (wire schema ``ShiftEarningObjPublicResponseItem``).

    ``amount`` and the hourly ``rate`` are cents in the shift's ``currency``; ``hours`` is a
    (fractional) number of hours.
    """

    name: str
    category: EarningCategory
    amount: Cents | None = None
    rate: Cents | None = None
    hours: float | None = None


class Shift(PayrollModel):
    """One shift of work (wire schema ``ShiftObjResponse``).

    ``timestamps`` holds the clock-in/clock-out intervals; ``earnings`` what the shift paid, in
    cents of ``currency`` (:attr:`total_earnings` adds them up).
    """

    id: str
    created_at: datetime
    account_id: str
    start_date: date
    end_date: date
    type: ShiftType
    timestamps: list[ShiftTimestamp]
    currency: Currency
    earnings: list[ShiftEarning]
    timezone: str | None = None

    def money(self, amount: int) -> Money:
        """Return ``amount`` (cents, e.g. an earning's ``amount``) as :class:`Money`."""
        return Money(amount, self.currency)

    @property
    def total_earnings(self) -> Money:
        """The sum of the earnings' amounts (earnings without an amount count as zero)."""
        return self.money(sum(e.amount for e in self.earnings if e.amount is not None))

    @property
    def hours_worked(self) -> float:
        """The sum of the intervals in ``timestamps``, in hours."""
        return sum(t.hours for t in self.timestamps)


ShiftPage = ListResponse[Shift]
"""A page of ``GET /accounts/{account_id}/shifts`` (newest ``end_date`` first)."""
