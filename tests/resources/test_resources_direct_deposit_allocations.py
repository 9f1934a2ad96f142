"""client.direct_deposit_allocations.get: GET /accounts/{id}/direct_deposit_allocations."""

from __future__ import annotations

from typing import Any

import respx

from payroll_sdk import Allocation, DirectDepositAllocations, PayrollClient


async def test_get_parses_the_allocations(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("direct_deposit_allocations.json")
    route = api.get("/accounts/acc_1/direct_deposit_allocations").respond(
        200, json=body, headers={"x-request-id": "req_dda"}
    )
    result = await client.direct_deposit_allocations.get("acc_1")

    assert route.calls.last.request.url.path == "/v1/accounts/acc_1/direct_deposit_allocations"
    assert isinstance(result.data, DirectDepositAllocations)
    allocations = result.data.allocations
    assert len(allocations) == len(body["data"]["allocations"])
    assert all(isinstance(a, Allocation) for a in allocations)
    assert allocations[0].allocation_type == "amount"
    assert allocations[0].amount == 25000
    assert allocations[1].allocation_type == "remainder"
    assert result.meta is not None and result.meta.refreshed_at is not None
    assert (result.request_id, result.attempts) == ("req_dda", 1)
    assert "271070801" not in repr(result)  # routing numbers are masked in repr


async def test_unknown_allocation_type_and_fields_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("direct_deposit_allocations.json")
    body["data"]["allocations"][0]["allocation_type"] = "round_up"
    body["data"]["allocations"][0]["account_type"] = "crypto_wallet"
    body["data"]["allocations"][0]["nickname"] = "Rainy"
    api.get("/accounts/acc_1/direct_deposit_allocations").respond(200, json=body)

    result = await client.direct_deposit_allocations.get("acc_1")
    first = result.data.allocations[0]
    assert (first.allocation_type, first.account_type) == ("round_up", "crypto_wallet")
    assert first.model_extra == {"nickname": "Rainy"}
