"""Small value models shared by several resources: postal addresses and phone numbers."""

from __future__ import annotations

from typing import Literal

from ._base import PayrollModel

__all__ = ["Address", "AddressCountry", "PhoneNumber", "PhoneNumberType"]

PhoneNumberType = Literal["home", "work", "mobile"] | str
"""What a phone number is for. Open: an unknown value stays a plain string."""

AddressCountry = Literal["US"] | str
"""ISO 3166 alpha-2 country of an address. Only ``"US"`` is documented; the enum is open."""


class Address(PayrollModel):
    """A postal address, as the payroll platform shows it (wire schema ``AddressGetResponseItem``).

    ``raw`` is the address as one string and is always present; the parsed parts are present
    when the platform could split it. In ``repr()`` the street lines, ``raw`` and
    ``postal_code`` are masked; ``city``, ``state`` and ``country`` stay visible.
    """

    __masked_fields__ = frozenset({"raw", "line1", "line2", "postal_code"})

    raw: str
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: AddressCountry | None = None


class PhoneNumber(PayrollModel):
    """A phone number and what it is for (wire schema ``PhoneNumberGetResponseItem``).

    ``value`` is masked in ``repr()``.
    """

    __masked_fields__ = frozenset({"value"})

    value: str
    type: PhoneNumberType | None = None
