"""client.income.get: GET /accounts/{account_id}/income."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import respx

from payroll_sdk import Income, ObjectResponse, PayrollClient


async def test_get_parses_the_income(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("income.json")
    route = api.get("/accounts/acc_1/income").respond(
        200, json=body, headers={"x-request-id": "req_income"}
    )
    result = await client.income.get("acc_1")

    assert route.call_count == 1
    assert route.calls.last.request.url.path == "/v1/accounts/acc_1/income"
    assert not route.calls.last.request.url.query
    assert isinstance(result, ObjectResponse)
    assert isinstance(result.data, Income)
    assert result.data.compensation_amount == body["data"]["compensation_amount"]
    assert isinstance(result.data.compensation_amount, int)
    assert result.data.compensation_unit == "hourly"
    assert result.data.pay_frequency == "bi-weekly"
    assert result.meta is not None
    assert result.meta.refreshed_at == datetime(2025, 6, 16, 6, 0, 12, 774431, tzinfo=UTC)
    assert result.request_id == "req_income"
    assert result.attempts == 1


async def test_unknown_fields_and_enum_values_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("income.json")
    body["data"]["compensation_unit"] = "per_mile"
    body["data"]["pay_frequency"] = "fortnightly-ish"
    body["data"]["bonus_eligible"] = {"since": "2024-01-01", "rate": 5}
    body["meta"]["source"] = "payroll-platform"
    api.get("/accounts/acc_1/income").respond(200, json=body)

    result = await client.income.get("acc_1")
    assert result.data.compensation_unit == "per_mile"
    assert result.data.pay_frequency == "fortnightly-ish"
    assert result.data.model_extra == {"bonus_eligible": {"since": "2024-01-01", "rate": 5}}
    dumped = result.model_dump(mode="json")
    assert dumped["data"]["bonus_eligible"] == {"since": "2024-01-01", "rate": 5}
    assert dumped["data"]["compensation_unit"] == "per_mile"
    assert dumped["meta"]["source"] == "payroll-platform"
