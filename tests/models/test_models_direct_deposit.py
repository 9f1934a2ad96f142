"""Direct deposit allocations parse their fixture; account numbers stay out of repr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import pytest

from payroll_sdk.models import Allocation, DirectDepositAllocationsResponse, Money

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _raw() -> bytes:
    return (FIXTURES / "direct_deposit_allocations.json").read_bytes()


def _body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(_raw())
    return body


@pytest.mark.parametrize("strict", [False, True])
def test_allocations_fixture_parses(strict: bool) -> None:
    allocations = DirectDepositAllocationsResponse.model_validate_json(_raw(), strict=strict).data
    fixed, remainder = allocations.allocations
    assert fixed.allocation_type == "amount"
    assert fixed.amount == 25000
    assert fixed.fixed_amount == Money(25000, "USD")
    assert fixed.account_type == "savings"
    assert fixed.priority == 1
    assert remainder.allocation_type == "remainder"
    assert remainder.amount is None
    assert remainder.fixed_amount is None


def test_percentage_allocation() -> None:
    allocation = Allocation.model_validate(
        {"allocation_type": "percentage", "currency": "USD", "percentage": 12.5}
    )
    assert allocation.percentage == 12.5
    whole = Allocation.model_validate(
        {"allocation_type": "percentage", "currency": "USD", "percentage": 40}
    )
    assert whole.percentage == 40.0


def test_unknown_allocation_and_account_types_are_kept() -> None:
    body = _body()
    body["data"]["allocations"][0].update(
        allocation_type="round_up", account_type="brokerage", nickname="Vacation"
    )
    allocation = DirectDepositAllocationsResponse.model_validate(body).data.allocations[0]
    assert allocation.allocation_type == "round_up"
    assert allocation.account_type == "brokerage"
    assert allocation.model_extra == {"nickname": "Vacation"}


@pytest.mark.parametrize("bad", [250.0, "25000"])
def test_allocation_amount_must_be_an_integer(bad: object) -> None:
    body = _body()
    body["data"]["allocations"][0]["amount"] = bad
    with pytest.raises(pydantic.ValidationError):
        DirectDepositAllocationsResponse.model_validate_json(json.dumps(body))


def test_account_and_routing_numbers_are_masked_in_repr() -> None:
    response = DirectDepositAllocationsResponse.model_validate_json(_raw())
    for text in (repr(response), str(response.data)):
        for secret in ("7731", "271070801", "0093", "0719"):
            assert secret not in text
        assert "masked_account_number='****'" in text
        assert "bank_name='First Prairie Credit Union'" in text
    first = response.data.allocations[0]
    assert first.routing_number == "271070801"
    assert first.model_dump()["masked_account_number"] == "7731"
