"""client.shifts.list: GET /accounts/{account_id}/shifts."""

from __future__ import annotations

from datetime import date
from typing import Any

import respx

from payroll_sdk import PayrollClient, Shift


async def test_list_with_every_filter(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("shifts_page.json")
    route = api.get("/accounts/acc_1/shifts").respond(
        200, json=body, headers={"x-request-id": "req_shifts"}
    )
    page = await client.shifts.list(
        "acc_1",
        from_start_date="2025-06-01",
        to_start_date=date(2025, 6, 15),
        from_end_date=date(2025, 6, 2),
        to_end_date="2025-06-16",
        limit=50,
    )

    request = route.calls.last.request
    assert request.url.path == "/v1/accounts/acc_1/shifts"
    assert dict(request.url.params) == {
        "from_start_date": "2025-06-01",
        "to_start_date": "2025-06-15",
        "from_end_date": "2025-06-02",
        "to_end_date": "2025-06-16",
        "limit": "50",
    }
    assert all(isinstance(shift, Shift) for shift in page.data)
    first = page.data[0]
    assert first.type == "delivery"
    assert first.end_date == date(2025, 6, 14)
    assert first.timestamps[0].from_.utcoffset() is not None
    assert first.earnings[1].amount == 3120
    assert page.meta.next_cursor is None
    assert (page.request_id, page.attempts) == ("req_shifts", 1)


async def test_iterating_sends_limit_100_and_no_filters(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = api.get("/accounts/acc_1/shifts").respond(200, json=load_fixture("shifts_page.json"))
    shifts = [shift async for shift in client.shifts.list("acc_1")]
    assert len(shifts) == 2
    assert dict(route.calls.last.request.url.params) == {"limit": "100"}


async def test_unknown_shift_type_and_fields_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("shifts_page.json")
    body["data"][0]["type"] = "drone_delivery"
    body["data"][0]["vehicle"] = {"kind": "bike"}
    api.get("/accounts/acc_1/shifts").respond(200, json=body)

    page = await client.shifts.list("acc_1")
    assert page.data[0].type == "drone_delivery"
    assert page.data[0].model_extra == {"vehicle": {"kind": "bike"}}
