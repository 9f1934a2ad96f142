"""client.employment.get: GET /accounts/{account_id}/employment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import respx

from payroll_sdk import Employment, NotFoundError, PayrollClient


async def test_get_parses_the_employment(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("employment.json")
    route = api.get("/accounts/acc_1/employment").respond(
        200, json=body, headers={"x-request-id": "req_emp"}
    )
    result = await client.employment.get("acc_1")

    assert route.calls.last.request.url.path == "/v1/accounts/acc_1/employment"
    assert isinstance(result.data, Employment)
    assert result.data.status == "employed"
    assert result.data.start_date == date(2021, 4, 12)
    assert result.data.termination_date is None
    assert result.data.employer_name == "Lakeshore Logistics LLC"
    assert result.meta is not None and result.meta.refreshed_at is not None
    assert (result.request_id, result.attempts) == ("req_emp", 1)


async def test_unknown_status_and_fields_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("employment.json")
    body["data"]["status"] = "on_sabbatical"
    body["data"]["department"] = "Receiving"
    api.get("/accounts/acc_1/employment").respond(200, json=body)

    result = await client.employment.get("acc_1")
    assert result.data.status == "on_sabbatical"
    assert result.model_dump()["data"]["department"] == "Receiving"


async def test_no_employment_yet_is_not_found(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get("/accounts/acc_1/employment").respond(
        404,
        json={
            "error": {
                "type": "RECORD_NOT_FOUND",
                "code": "EMPLOYMENT_NOT_FOUND",
                "message": "No employment for this account.",
                "status_code": 404,
            }
        },
    )
    with pytest.raises(NotFoundError) as info:
        await client.employment.get("acc_1")
    assert info.value.type == "RECORD_NOT_FOUND"
