"""client.paystubs: GET /accounts/{account_id}/paystubs[/{paystub_id}]."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import respx

from payroll_sdk import ListResponse, ObjectResponse, PayrollClient, Paystub


async def test_list_first_page_with_filters(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("paystubs_page.json")
    route = api.get("/accounts/acc_1/paystubs").respond(
        200, json=body, headers={"x-request-id": "req_stubs"}
    )
    page = await client.paystubs.list(
        "acc_1", from_pay_date=date(2025, 1, 1), to_pay_date="2025-06-30", limit=10
    )

    request = route.calls.last.request
    assert request.url.path == "/v1/accounts/acc_1/paystubs"
    assert dict(request.url.params) == {
        "from_pay_date": "2025-01-01",
        "to_pay_date": "2025-06-30",
        "limit": "10",
    }
    assert isinstance(page, ListResponse)
    assert all(isinstance(stub, Paystub) for stub in page.data)
    first = page.data[0]
    assert first.gross_pay_amount == body["data"][0]["gross_pay_amount"]
    assert first.pay_date == date(2025, 6, 13)
    assert [t.category for t in first.taxes][:2] == ["federal_income", "social_security"]
    assert page.meta.count == 2
    assert page.meta.next_cursor == body["meta"]["next_cursor"]
    assert page.meta.refreshed_at == datetime(2025, 6, 16, 6, 0, 12, 774431, tzinfo=UTC)
    assert (page.request_id, page.attempts) == ("req_stubs", 1)


async def test_an_aware_datetime_filter_is_sent_as_its_utc_date(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = api.get("/accounts/acc_1/paystubs").respond(
        200, json=load_fixture("paystubs_page.json")
    )
    late_evening = datetime(2025, 3, 31, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    await client.paystubs.list("acc_1", from_pay_date=late_evening)
    assert dict(route.calls.last.request.url.params) == {"from_pay_date": "2025-04-01"}


async def test_get_one_paystub(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    page = load_fixture("paystubs_page.json")
    stub = page["data"][0]
    body = {"data": stub, "meta": {"refreshed_at": page["meta"]["refreshed_at"]}}
    route = api.get(f"/accounts/acc_1/paystubs/{stub['id']}").respond(
        200, json=body, headers={"x-request-id": "req_stub"}
    )
    result = await client.paystubs.get("acc_1", stub["id"])

    assert route.calls.last.request.url.path == f"/v1/accounts/acc_1/paystubs/{stub['id']}"
    assert isinstance(result, ObjectResponse)
    assert result.data.id == stub["id"]
    assert result.data.net_pay_amount == stub["net_pay_amount"]
    assert result.meta is not None and result.meta.refreshed_at is not None
    assert (result.request_id, result.attempts) == ("req_stub", 1)


async def test_unknown_categories_and_fields_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("paystubs_page.json")
    body["meta"]["next_cursor"] = None
    body["data"][0]["taxes"][0]["category"] = "space_tax"
    body["data"][0]["deductions"][0]["type"] = "post_post_tax"
    body["data"][0]["pay_group"] = "weekly-ops"
    api.get("/accounts/acc_1/paystubs").respond(200, json=body)

    stubs = await client.paystubs.list("acc_1").to_list()
    assert stubs[0].taxes[0].category == "space_tax"
    assert stubs[0].deductions[0].type == "post_post_tax"
    assert stubs[0].model_extra == {"pay_group": "weekly-ops"}
    assert stubs[0].model_dump()["pay_group"] == "weekly-ops"
