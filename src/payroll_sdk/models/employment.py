"""Employment: who the employer is and whether the person still works there."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ._base import PayrollModel
from ._envelope import ObjectResponse
from .common import Address, PhoneNumber

__all__ = ["Employment", "EmploymentResponse", "EmploymentStatus"]

EmploymentStatus = Literal["employed", "terminated", "furloughed"] | str
"""Employment status. Open: unknown values stay strings."""


class Employment(PayrollModel):
    """The employment behind an account (wire schema ``EmploymentObjResponse``).

    ``termination_date`` is set only when ``status`` is ``"terminated"`` (if the platform
    shows it).
    """

    id: str
    account_id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    employer_name: str | None = None
    status: EmploymentStatus | None = None
    start_date: date | None = None
    termination_date: date | None = None
    title: str | None = None
    employer_address: Address | None = None
    employer_phone_number: PhoneNumber | None = None


EmploymentResponse = ObjectResponse[Employment]
"""``GET /accounts/{account_id}/employment``."""
