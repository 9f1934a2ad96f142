"""Address and PhoneNumber."""

from __future__ import annotations

import pydantic
import pytest

from payroll_sdk.models import Address, PhoneNumber


def test_address_needs_only_raw() -> None:
    address = Address.model_validate({"raw": "1 Main St, Springfield, IL 62701"})
    assert address.line1 is None
    assert address.country is None
    with pytest.raises(pydantic.ValidationError):
        Address.model_validate({"city": "Springfield"})


def test_address_repr_masks_street_and_postal_code_keeps_city_and_state() -> None:
    address = Address(
        raw="1 Main St, Springfield, IL 62701",
        line1="1 Main St",
        line2="Unit 4",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="CA",
    )
    text = repr(address)
    for secret in ("Main St", "Unit 4", "62701"):
        assert secret not in text
    assert "city='Springfield'" in text
    assert "country='CA'" in text
    assert address.model_dump()["line1"] == "1 Main St"


def test_phone_number_masks_its_value_and_keeps_unknown_types() -> None:
    phone = PhoneNumber.model_validate({"value": "+15555550123", "type": "fax"})
    assert phone.type == "fax"
    assert "+15555550123" not in str(phone)
    assert phone.value == "+15555550123"
