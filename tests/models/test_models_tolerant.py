"""Record-by-record reading: repairs touch only failing cells, the rest is kept raw, masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from payroll_sdk.models import (
    IdentityResponse,
    ListResponse,
    PayrollAccount,
    Paystub,
    PaystubPage,
    UnreadableRecord,
)
from payroll_sdk.models._tolerant import blank_to_none, read_record, repair_value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _page() -> dict[str, Any]:
    return json.loads((FIXTURES / "paystubs_page.json").read_text())  # type: ignore[no-any-return]


def test_a_tidy_page_takes_the_fast_path_and_has_no_unreadable_records() -> None:
    page = PaystubPage.model_validate_json((FIXTURES / "paystubs_page.json").read_bytes())
    assert page.unreadable == [] and len(page.data) == 2


@pytest.mark.parametrize(
    ("value", "error", "expected"),
    [
        ("2021-1-31", "date_from_datetime_parsing", "2021-01-31"),
        ("2021-1-3T04:05:06Z", "datetime_parsing", "2021-01-03T04:05:06Z"),
        (None, "list_type", []),
        ("12.50", "int_type", "12.50"),  # an amount is never converted
        ("31/1/2021", "date_from_datetime_parsing", "31/1/2021"),  # ambiguous: not guessed
    ],
)
def test_repairs_are_limited_to_known_deviations(value: Any, error: str, expected: Any) -> None:
    assert repair_value(value, error)[0] == expected


def test_blank_values_become_none_but_blank_list_items_stay() -> None:
    assert blank_to_none({"a": "", "b": {"c": ""}, "d": ["", "x"]}) == {
        "a": None,
        "b": {"c": None},
        "d": ["", "x"],
    }


def test_a_repair_touches_only_the_failing_cell() -> None:
    stub = _page()["data"][0]
    stub["pay_date"] = "2025-6-13"
    stub["external_paystub_id"] = "2021-1-31"  # looks like a date, but is a valid string
    parsed = read_record(Paystub, stub)
    assert isinstance(parsed, Paystub)
    assert parsed.pay_date is not None and parsed.pay_date.isoformat() == "2025-06-13"
    assert parsed.external_paystub_id == "2021-1-31"


def test_unreadable_record_repr_masks_personal_data() -> None:
    raw = {
        "id": "idn_1",
        "full_name": "Ada Lovelace",
        "last_four_ssn": 1234,  # a number: why the record is unreadable
        "address": {"raw": "1 Main St", "city": "Chicago"},
        "emails": ["ada@example.com"],
        "phone_numbers": [{"value": "+13125550100", "type": "mobile"}],
    }
    record = read_record(IdentityResponse.model_fields["data"].annotation, raw)  # type: ignore[arg-type]
    assert isinstance(record, UnreadableRecord)
    text = repr(record) + str(record)
    for secret in ("Ada", "1234", "1 Main St", "ada@example.com", "5550100"):
        assert secret not in text
    assert record.raw == raw  # the attribute keeps the raw JSON exactly
    assert record.id == "idn_1"
    assert "last_four_ssn" in record.fields


def test_an_unreadable_error_never_holds_the_rejected_value() -> None:
    record = read_record(
        Paystub, {"id": "p", "account_id": "a", "currency": "USD", "net_pay_amount": "987654"}
    )
    assert isinstance(record, UnreadableRecord)
    assert "987654" not in record.error and record.fields == ["net_pay_amount"]


def test_a_bare_string_record_is_masked_whole() -> None:
    page = ListResponse[PayrollAccount].model_validate_json(
        json.dumps({"data": ["123-45-6789"], "meta": {"next_cursor": None}})
    )
    assert page.data == []
    assert "6789" not in repr(page.unreadable[0])


def test_a_body_that_is_not_a_page_still_fails_whole() -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        PaystubPage.model_validate_json(b'{"data": "nope"}')
    with pytest.raises(pydantic.ValidationError):
        PaystubPage.model_validate_json(b'{"data": [')


def test_an_unreadable_single_object_fails_the_response() -> None:
    import pydantic

    body = json.loads((FIXTURES / "identity.json").read_text())
    body["data"]["last_four_ssn"] = 1234
    with pytest.raises(pydantic.ValidationError):
        IdentityResponse.model_validate_json(json.dumps(body))
    body["data"]["last_four_ssn"] = ""
    assert IdentityResponse.model_validate_json(json.dumps(body)).data.last_four_ssn is None
