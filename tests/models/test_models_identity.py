"""Identity parses the identity fixture and keeps personal data out of repr/str."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pydantic
import pytest

from payroll_sdk.models import Address, IdentityResponse, PhoneNumber

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

PERSONAL_VALUES = [
    "Marisol T. Okafor",
    "marisol.okafor@example.net",
    "1991-08-24",
    "1991, 8, 24",
    "0417",
    "2231 W Belden Ave",
    "Apt 3R",
    "60647",
    "+13125550187",
]


def _raw() -> bytes:
    return (FIXTURES / "identity.json").read_bytes()


def _with(**changes: Any) -> bytes:
    body = json.loads(_raw())
    body["data"].update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize("strict", [False, True])
def test_identity_fixture_parses(strict: bool) -> None:
    identity = IdentityResponse.model_validate_json(_raw(), strict=strict).data
    assert identity.full_name == "Marisol T. Okafor"
    assert identity.last_four_ssn == "0417"
    assert identity.date_of_birth == date(1991, 8, 24)
    assert identity.emails is not None and len(identity.emails) == 2
    assert isinstance(identity.address, Address)
    assert identity.address.city == "Chicago"
    assert identity.address.country == "US"
    assert identity.phone_numbers is not None
    assert [p.type for p in identity.phone_numbers] == ["mobile", "home"]
    assert all(isinstance(p, PhoneNumber) for p in identity.phone_numbers)


@pytest.mark.parametrize("ssn", [417, 4170, 417.0])
def test_last_four_ssn_must_be_a_string(ssn: object) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        IdentityResponse.model_validate_json(_with(last_four_ssn=ssn))
    assert caught.value.errors()[0]["loc"] == ("data", "last_four_ssn")
    # The rejected value is personal data: it must not reach an error message or a log.
    assert str(ssn) not in str(caught.value)


def test_leading_zeros_of_last_four_ssn_are_kept() -> None:
    identity = IdentityResponse.model_validate_json(_with(last_four_ssn="0007")).data
    assert identity.last_four_ssn == "0007"
    assert identity.model_dump()["last_four_ssn"] == "0007"
    assert '"last_four_ssn":"0007"' in identity.model_dump_json()


def test_repr_and_str_mask_personal_data() -> None:
    response = IdentityResponse.model_validate_json(_raw())
    identity = response.data
    for text in (repr(identity), str(identity), repr(response), str(response)):
        for value in PERSONAL_VALUES:
            assert value not in text, value
        assert "last_four_ssn='****'" in text
        assert "date_of_birth='****'" in text
        assert "city='Chicago'" in text
        assert "state='IL'" in text
    rich = repr(list(identity.__rich_repr__()))
    assert "0417" not in rich
    assert "Marisol" not in rich
    dumped = identity.model_dump(mode="json")
    assert dumped["last_four_ssn"] == "0417"
    assert dumped["date_of_birth"] == "1991-08-24"
    assert dumped["address"]["line1"] == "2231 W Belden Ave"
    assert dumped["phone_numbers"][0]["value"] == "+13125550187"


def test_unknown_fields_and_phone_types_are_kept() -> None:
    body = json.loads(_raw())
    body["data"]["phone_numbers"][0]["type"] = "pager"
    body["data"]["preferred_name"] = "Mari"
    identity = IdentityResponse.model_validate(body).data
    assert identity.phone_numbers is not None
    assert identity.phone_numbers[0].type == "pager"
    assert identity.model_extra == {"preferred_name": "Mari"}


def test_only_the_documented_fields_are_required() -> None:
    minimal = {
        "id": "i",
        "created_at": "2025-01-01T00:00:00+00:00",
        "updated_at": "2025-01-01T00:00:00+00:00",
        "account_id": "a",
        "full_name": "A Person",
    }
    identity = IdentityResponse.model_validate({"data": minimal}).data
    assert identity.address is None
    assert identity.last_four_ssn is None
    del minimal["full_name"]  # real data omits it: read as unknown
    assert IdentityResponse.model_validate({"data": minimal}).data.full_name is None
    del minimal["id"]
    with pytest.raises(pydantic.ValidationError):
        IdentityResponse.model_validate({"data": minimal})
