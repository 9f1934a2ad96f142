"""client.identity.get: GET /accounts/{account_id}/identity."""

from __future__ import annotations

from datetime import date
from typing import Any

import respx

from payroll_sdk import Identity, PayrollClient


async def test_get_parses_the_identity(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("identity.json")
    route = api.get("/accounts/acc_1/identity").respond(
        200, json=body, headers={"x-request-id": "req_identity"}
    )
    result = await client.identity.get("acc_1")

    assert route.calls.last.request.url.path == "/v1/accounts/acc_1/identity"
    assert isinstance(result.data, Identity)
    assert result.data.full_name == "Marisol T. Okafor"
    assert result.data.last_four_ssn == "0417"  # a string: the leading zero is kept
    assert result.data.date_of_birth == date(1991, 8, 24)
    assert result.data.address is not None and result.data.address.city == "Chicago"
    assert result.meta is not None and result.meta.refreshed_at is not None
    assert result.request_id == "req_identity"
    assert result.attempts == 1
    # Personal data stays out of the repr of what a resource returns.
    assert "0417" not in repr(result)
    assert "1991" not in repr(result)


async def test_unknown_fields_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("identity.json")
    body["data"]["preferred_name"] = "Mari"
    body["data"]["address"]["plus_four"] = "1234"
    api.get("/accounts/acc_1/identity").respond(200, json=body)

    result = await client.identity.get("acc_1")
    assert result.data.model_extra == {"preferred_name": "Mari"}
    dumped = result.model_dump(mode="json")
    assert dumped["data"]["address"]["plus_four"] == "1234"
