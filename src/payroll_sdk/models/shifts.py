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

    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None

    @property
    def duration(self) -> timedelta | None:
        """``to - from_`` (None when an end is missing). Both ends must be offset-aware (the API
        sends offsets) or both naive."""
        if self.from_ is None or self.to is None:
            return None
        return self.to - self.from_

    @property
    def hours(self) -> float | None:
        """The interval's length in hours (None when an end is missing)."""
        duration = self.duration
        return None if duration is None else duration.total_seconds() / 3600


class ShiftEarning(PayrollModel):
    """An earning of a shift (wire schema ``ShiftEarningObjPublicResponseItem``).

    ``amount`` and the hourly ``rate`` are cents in the shift's ``currency``; ``hours`` is a
    (fractional) number of hours.
    """

    name: str | None = None
    category: EarningCategory | None = None
    amount: Cents | None = None
    rate: Cents | None = None
    hours: float | None = None


class Shift(PayrollModel):
    """One shift of work (wire schema ``ShiftObjResponse``).

    ``timestamps`` holds the clock-in/clock-out intervals; ``earnings`` what the shift paid, in
    cents of ``currency`` (:attr:`total_earnings` adds them up). As on paystubs, everything but
    ``id``, ``account_id`` and ``currency`` may be ``None`` in real data.
    """

    id: str
    account_id: str
    currency: Currency
    created_at: datetime | None = None
    start_date: date | None = None
    end_date: date | None = None
    type: ShiftType | None = None
    timestamps: list[ShiftTimestamp] = Field(default_factory=list)
    earnings: list[ShiftEarning] = Field(default_factory=list)
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
        """The sum of the intervals in ``timestamps``, in hours (intervals missing an end are
        left out)."""
        return sum(hours for t in self.timestamps if (hours := t.hours) is not None)


ShiftPage = ListResponse[Shift]
"""A page of ``GET /accounts/{account_id}/shifts`` (newest ``end_date`` first)."""
