"""Property test: whatever JSON-shaped input arrives, parsing fails only with ValidationError.

The transport maps ``pydantic.ValidationError`` to ``ResponseValidationError``; any other
exception escaping a model (a TypeError from a validator, a RecursionError ...) would escape
the SDK's error hierarchy.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll_sdk.models import (
    DirectDepositAllocationsResponse,
    EmploymentResponse,
    IdentityResponse,
    IncomeResponse,
    PayrollAccountPage,
    PayrollAccountResponse,
    PaystubPage,
    PaystubResponse,
    ShiftPage,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

ENVELOPES: list[type[pydantic.BaseModel]] = [
    PayrollAccountResponse,
    PayrollAccountPage,
    PaystubPage,
    PaystubResponse,
    IncomeResponse,
    IdentityResponse,
    EmploymentResponse,
    ShiftPage,
    DirectDepositAllocationsResponse,
]

# Field names the models know, so that generated objects reach nested validators instead of
# failing at the top level on a missing "data".
KNOWN_KEYS = [
    "data", "meta", "count", "next_cursor", "refreshed_at", "id", "created_at", "updated_at",
    "account_id", "currency", "pay_date", "gross_pay_amount", "taxes", "earnings", "amount",
    "category", "name", "from", "to", "timestamps", "last_four_ssn", "address", "raw",
    "allocations", "allocation_type", "data_updated_at", "monitoring_status", "percentage",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["2025-06-13", "2025-06-13T11:20:03.004512+00:00", "USD", "active"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=25,
)
bodies = st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values, max_size=4) | json_values

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_validation_errors(envelope: type[pydantic.BaseModel], body: Any) -> None:
    raw = json.dumps(body)
    for strict in (False, True):
        with contextlib.suppress(pydantic.ValidationError):
            envelope.model_validate_json(raw, strict=strict)
        with contextlib.suppress(pydantic.ValidationError):
            envelope.model_validate(body, strict=strict)


@pytest.mark.parametrize("envelope", ENVELOPES, ids=lambda e: e.__name__)
@FUZZ
@given(body=bodies)
def test_arbitrary_json_only_raises_validation_error(
    envelope: type[pydantic.BaseModel], body: Any
) -> None:
    _only_validation_errors(envelope, body)


FIXTURE_OF: dict[type[pydantic.BaseModel], str] = {
    PayrollAccountResponse: "account.json",
    PayrollAccountPage: "accounts_page.json",
    PaystubPage: "paystubs_page.json",
    IncomeResponse: "income.json",
    IdentityResponse: "identity.json",
    EmploymentResponse: "employment.json",
    ShiftPage: "shifts_page.json",
    DirectDepositAllocationsResponse: "direct_deposit_allocations.json",
}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@pytest.mark.parametrize("envelope", list(FIXTURE_OF), ids=lambda e: e.__name__)
@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_a_fixture_with_one_value_replaced_only_raises_validation_error(
    envelope: type[pydantic.BaseModel], data: st.DataObject
) -> None:
    # Mutating one leaf or subtree of a valid body reaches every nested validator, which
    # random bodies almost never do.
    body = json.loads((FIXTURES / FIXTURE_OF[envelope]).read_bytes())
    path = data.draw(st.sampled_from(_paths(body)))
    mutated = copy.deepcopy(body)
    target = mutated
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(json_values)
    _only_validation_errors(envelope, mutated)


@settings(FUZZ, max_examples=100)
@given(raw=st.binary(max_size=64))
def test_arbitrary_bytes_only_raise_validation_error(raw: bytes) -> None:
    # Malformed JSON is rejected by the parser before any model code runs, so one envelope
    # stands for all of them.
    with contextlib.suppress(pydantic.ValidationError):
        PaystubPage.model_validate_json(raw)
