"""Paystub and its line items parse the paystubs fixture; money stays integer cents."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest

from payroll_sdk.models import Money, Paystub, PaystubPage, PaystubResponse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _raw() -> bytes:
    return (FIXTURES / "paystubs_page.json").read_bytes()


def _first_stub() -> dict[str, Any]:
    stub: dict[str, Any] = json.loads(_raw())["data"][0]
    return stub


def _parse_stub(stub: dict[str, Any]) -> Paystub:
    return PaystubResponse.model_validate_json(json.dumps({"data": stub})).data


@pytest.mark.parametrize("strict", [False, True])
def test_paystubs_page_parses(strict: bool) -> None:
    page = PaystubPage.model_validate_json(_raw(), strict=strict)
    assert page.meta.count == len(page.data) == 2
    assert page.meta.next_cursor is not None
    assert page.meta.refreshed_at is not None
    newest, older = page.data
    assert newest.pay_date == date(2025, 6, 13) > older.pay_date
    assert newest.pay_period_start == date(2025, 5, 26)
    assert newest.gross_pay_amount == 237838
    assert newest.net_pay_amount == (
        newest.gross_pay_amount - newest.total_taxes - newest.total_deductions
    )
    assert [t.category for t in newest.taxes] == [
        "federal_income",
        "social_security",
        "medicare",
        "state_income",
    ]
    assert sum(t.amount for t in newest.taxes) == newest.total_taxes
    assert {d.type for d in newest.deductions} == {"pre_tax"}
    overtime = newest.earnings[1]
    assert (overtime.category, overtime.rate, overtime.hours) == ("overtime", 3975, 6.5)
    assert newest.time_off[0].available_hours == 47.25
    assert newest.document is not None
    assert newest.document.download_url_expiration is not None
    assert older.document is None


def test_money_properties() -> None:
    stub = PaystubPage.model_validate_json(_raw()).data[0]
    assert stub.gross_pay == Money(237838, "USD")
    assert str(stub.gross_pay) == "USD 2,378.38"
    assert stub.net_pay.decimal == Decimal("1622.26")
    assert stub.money(stub.taxes[0].amount) == Money(26162, "USD")


def test_unknown_fields_and_categories_are_kept() -> None:
    stub = _first_stub()
    stub["taxes"][0]["category"] = "county_transit"
    stub["deductions"][0]["type"] = "roth"
    stub["earnings"][0]["category"] = "night_premium"
    stub["earnings"][0]["union_code"] = "L-705"
    stub["pay_group"] = "biweekly-hourly"
    parsed = _parse_stub(stub)
    assert parsed.taxes[0].category == "county_transit"
    assert parsed.deductions[0].type == "roth"
    assert parsed.earnings[0].category == "night_premium"
    assert parsed.earnings[0].model_extra == {"union_code": "L-705"}
    assert parsed.model_extra == {"pay_group": "biweekly-hourly"}


def test_a_null_amount_stays_none_never_zero() -> None:
    stub = _first_stub()
    stub["gross_pay_amount"] = None
    parsed = _parse_stub(stub)
    assert parsed.gross_pay_amount is None and parsed.gross_pay is None


@pytest.mark.parametrize("bad", [1.5, 237838.0, "237838", True])
def test_money_must_be_an_integer(bad: object) -> None:
    stub = _first_stub()
    stub["gross_pay_amount"] = bad
    with pytest.raises(pydantic.ValidationError) as caught:
        _parse_stub(stub)
    assert caught.value.errors()[0]["loc"][-1] == "gross_pay_amount"


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("taxes", 0, "amount"), 12.5),
        (("earnings", 0, "rate"), 26.5),
        (("deductions", 1, "amount"), "8614"),
    ],
)
def test_line_item_money_must_be_an_integer(path: tuple[Any, ...], bad: object) -> None:
    stub = _first_stub()
    stub[path[0]][path[1]][path[2]] = bad
    with pytest.raises(pydantic.ValidationError):
        _parse_stub(stub)


def test_hours_accept_integers_and_floats() -> None:
    stub = _first_stub()
    stub["earnings"][0]["hours"] = 80
    stub["time_off"][0]["used_hours"] = 7.5
    parsed = _parse_stub(stub)
    assert parsed.earnings[0].hours == 80.0
    assert parsed.time_off[0].used_hours == 7.5


@pytest.mark.parametrize("missing", ["id", "account_id", "currency"])
def test_required_paystub_fields(missing: str) -> None:
    stub = _first_stub()
    del stub[missing]
    with pytest.raises(pydantic.ValidationError):
        _parse_stub(stub)


@pytest.mark.parametrize("missing", ["pay_date", "taxes", "check_amount", "created_at"])
def test_fields_real_data_omits_are_read_as_missing(missing: str) -> None:
    stub = _first_stub()
    del stub[missing]
    parsed = _parse_stub(stub)
    assert getattr(parsed, missing) in (None, [])


def test_document_download_url_is_masked_in_repr() -> None:
    stub = PaystubPage.model_validate_json(_raw()).data[0]
    assert stub.document is not None
    url = stub.document.download_url
    assert url is not None
    assert url not in repr(stub)
    assert url not in str(stub.document)
    assert "download_url='****'" in repr(stub.document)
    assert stub.model_dump()["document"]["download_url"] == url
