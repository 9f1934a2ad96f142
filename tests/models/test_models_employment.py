"""Employment parses the employment fixture."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pydantic
import pytest

from payroll_sdk.models import EmploymentResponse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _body() -> dict[str, object]:
    body: dict[str, object] = json.loads((FIXTURES / "employment.json").read_bytes())
    return body


@pytest.mark.parametrize("strict", [False, True])
def test_employment_fixture_parses(strict: bool) -> None:
    raw = (FIXTURES / "employment.json").read_bytes()
    employment = EmploymentResponse.model_validate_json(raw, strict=strict).data
    assert employment.status == "employed"
    assert employment.start_date == date(2021, 4, 12)
    assert employment.termination_date is None
    assert employment.title == "Warehouse Lead"
    assert employment.employer_address is not None
    assert employment.employer_address.state == "IL"
    assert employment.employer_phone_number is not None
    assert employment.employer_phone_number.type == "work"


def test_unknown_status_and_fields_are_kept() -> None:
    body = json.loads((FIXTURES / "employment.json").read_bytes())
    body["data"].update(status="on_leave", department="Receiving")
    employment = EmploymentResponse.model_validate(body).data
    assert employment.status == "on_leave"
    assert employment.model_extra == {"department": "Receiving"}


def test_terminated_employment() -> None:
    body = json.loads((FIXTURES / "employment.json").read_bytes())
    body["data"].update(status="terminated", termination_date="2025-05-31")
    employment = EmploymentResponse.model_validate_json(json.dumps(body)).data
    assert employment.termination_date == date(2025, 5, 31)


def test_a_missing_employer_name_is_none() -> None:
    body = json.loads((FIXTURES / "employment.json").read_bytes())
    del body["data"]["employer_name"]
    assert EmploymentResponse.model_validate(body).data.employer_name is None


def test_employment_without_an_id_is_rejected() -> None:
    body = json.loads((FIXTURES / "employment.json").read_bytes())
    del body["data"]["id"]
    with pytest.raises(pydantic.ValidationError):
        EmploymentResponse.model_validate(body)
