"""Income parses the income fixture; compensation is integer cents."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest

from payroll_sdk.models import IncomeResponse, Money

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _raw() -> bytes:
    return (FIXTURES / "income.json").read_bytes()


def _with(**changes: Any) -> bytes:
    body = json.loads(_raw())
    body["data"].update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize("strict", [False, True])
def test_income_fixture_parses(strict: bool) -> None:
    response = IncomeResponse.model_validate_json(_raw(), strict=strict)
    income = response.data
    assert income.compensation_amount == 2650
    assert income.compensation_unit == "hourly"
    assert income.pay_frequency == "bi-weekly"
    assert income.compensation == Money(2650, "USD")
    assert income.compensation.decimal == Decimal("26.50")
    assert response.meta is not None
    assert response.meta.refreshed_at is not None


def test_unknown_units_and_frequencies_are_kept() -> None:
    income = IncomeResponse.model_validate_json(
        _with(compensation_unit="per_delivery", pay_frequency="quad-weekly", bonus_eligible=True)
    ).data
    assert income.compensation_unit == "per_delivery"
    assert income.pay_frequency == "quad-weekly"
    assert income.model_extra == {"bonus_eligible": True}


def test_pay_frequency_is_optional() -> None:
    body = json.loads(_raw())
    del body["data"]["pay_frequency"]
    assert IncomeResponse.model_validate(body).data.pay_frequency is None


@pytest.mark.parametrize("bad", [26.5, "2650"])
def test_compensation_amount_must_be_an_integer(bad: object) -> None:
    with pytest.raises(pydantic.ValidationError):
        IncomeResponse.model_validate_json(_with(compensation_amount=bad))


def test_a_null_compensation_amount_stays_none_never_zero() -> None:
    income = IncomeResponse.model_validate_json(_with(compensation_amount=None)).data
    assert income.compensation_amount is None
    assert income.compensation is None


def test_compensation_in_a_zero_decimal_currency() -> None:
    income = IncomeResponse.model_validate_json(
        _with(compensation_amount=1200, currency="JPY")
    ).data
    assert str(income.compensation) == "JPY 1,200"
