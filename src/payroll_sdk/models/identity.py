"""Identity: who the employee is, as their payroll platform knows them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import StrictStr

from ._base import PayrollModel
from ._envelope import ObjectResponse
from .common import Address, PhoneNumber

__all__ = ["Identity", "IdentityResponse"]


class Identity(PayrollModel):
    """The employee's identity (wire schema ``IdentityObjResponse``).

    ``last_four_ssn`` is a string such as ``"0042"``: leading zeros matter, so a JSON number is
    rejected rather than converted. ``repr()`` masks ``full_name``, ``emails``,
    ``date_of_birth`` and ``last_four_ssn`` (and, through :class:`Address` and
    :class:`PhoneNumber`, the street address and phone numbers); the attributes and
    ``model_dump()`` keep the real values.
    """

    __masked_fields__ = frozenset({"full_name", "emails", "date_of_birth", "last_four_ssn"})

    id: str
    account_id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    full_name: str | None = None
    emails: list[str] | None = None
    date_of_birth: date | None = None
    last_four_ssn: StrictStr | None = None
    address: Address | None = None
    phone_numbers: list[PhoneNumber] | None = None


IdentityResponse = ObjectResponse[Identity]
"""``GET /accounts/{account_id}/identity``."""
