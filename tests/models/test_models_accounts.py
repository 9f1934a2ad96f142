"""PayrollAccount and DataTimestamps parse the account fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest

from payroll_sdk.models import DataTimestamps, PayrollAccountPage, PayrollAccountResponse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _with(name: str, **changes: Any) -> bytes:
    body = json.loads(_raw(name))
    body["data"].update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize("strict", [False, True])
def test_account_fixture_parses(strict: bool) -> None:
    response = PayrollAccountResponse.model_validate_json(_raw("account.json"), strict=strict)
    account = response.data
    assert account.id == "5e1f7c2a-3b4d-4e8f-9a60-7d2c1b0e9f34"
    assert account.connected is True
    assert account.monitoring_status == "active"
    assert account.tags == {"cohort": "spring-2025", "source": "onboarding"}
    assert account.customer_id is None
    assert isinstance(account.data_updated_at, DataTimestamps)
    assert account.data_updated_at.paystubs == datetime(2025, 6, 13, 14, 2, 11, 481230, tzinfo=UTC)
    assert account.data_updated_at.shifts is None
    assert account.data_refreshed_at.income == datetime(2025, 6, 16, 6, 0, 12, 774431, tzinfo=UTC)
    assert response.meta is None


@pytest.mark.parametrize("strict", [False, True])
def test_accounts_page_parses(strict: bool) -> None:
    page = PayrollAccountPage.model_validate_json(_raw("accounts_page.json"), strict=strict)
    assert [a.connected for a in page.data] == [True, False]
    assert page.data[1].monitoring_status == "user_action_required"
    assert page.data[1].data_updated_at.paystubs is None
    assert page.data[1].created_at.utcoffset() is not None
    assert page.meta.count == 2
    assert page.meta.next_cursor == "eyJvZmZzZXQiOiAyfQ"


def test_unknown_monitoring_status_and_fields_are_kept() -> None:
    body = _with("account.json", monitoring_status="paused_by_platform", region="us-east")
    account = PayrollAccountResponse.model_validate_json(body).data
    assert account.monitoring_status == "paused_by_platform"
    assert account.model_extra == {"region": "us-east"}
    assert account.model_dump()["region"] == "us-east"


def test_unknown_resource_timestamps_are_kept() -> None:
    body = json.loads(_raw("account.json"))
    body["data"]["data_refreshed_at"]["benefits"] = "2025-06-16T06:00:12.774431+00:00"
    account = PayrollAccountResponse.model_validate(body).data
    assert account.data_refreshed_at.model_extra == {"benefits": "2025-06-16T06:00:12.774431+00:00"}


def test_an_account_needs_its_id() -> None:
    body = json.loads(_raw("account.json"))
    del body["data"]["id"]
    with pytest.raises(pydantic.ValidationError):
        PayrollAccountResponse.model_validate(body)


@pytest.mark.parametrize("missing", ["platform_id", "connected", "data_updated_at"])
def test_fields_real_data_omits_are_read_as_unknown(missing: str) -> None:
    # Real accounts arrive without these; a missing `connected` is unknown, not True.
    body = json.loads(_raw("account.json"))
    del body["data"][missing]
    account = PayrollAccountResponse.model_validate(body).data
    assert missing not in account.model_fields_set
    if missing == "connected":
        assert account.connected is None
