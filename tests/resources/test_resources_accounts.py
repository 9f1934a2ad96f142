"""client.accounts: GET /accounts/{account_id} and GET /end_users/{end_user_id}/accounts."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from payroll_sdk import AsyncPager, NotFoundError, PayrollAccount, PayrollClient


async def test_get_parses_the_account(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("account.json")
    account_id = body["data"]["id"]
    route = api.get(f"/accounts/{account_id}").respond(
        200, json=body, headers={"x-request-id": "req_acc"}
    )
    result = await client.accounts.get(account_id)

    assert route.calls.last.request.url.path == f"/v1/accounts/{account_id}"
    assert isinstance(result.data, PayrollAccount)
    assert result.data.id == account_id
    assert result.data.connected is True
    assert result.data.monitoring_status == "active"
    assert result.data.tags == {"cohort": "spring-2025", "source": "onboarding"}
    assert result.data.data_updated_at.paystubs is not None
    assert (result.request_id, result.attempts) == ("req_acc", 1)


async def test_list_for_end_user_first_page(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("accounts_page.json")
    route = api.get("/end_users/user-8812/accounts").respond(
        200, json=body, headers={"x-request-id": "req_list"}
    )
    pager = client.accounts.list_for_end_user("user-8812", limit=2)
    assert isinstance(pager, AsyncPager)
    page = await pager

    request = route.calls.last.request
    assert request.url.path == "/v1/end_users/user-8812/accounts"
    assert dict(request.url.params) == {"limit": "2"}
    assert [a.id for a in page.data] == [a["id"] for a in body["data"]]
    assert page.meta.count == 2
    assert page.meta.next_cursor == body["meta"]["next_cursor"]
    assert (page.request_id, page.attempts) == ("req_list", 1)


async def test_an_email_like_end_user_id_is_escaped(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("accounts_page.json")
    body["meta"]["next_cursor"] = None
    route = api.route(method="GET").respond(200, json=body)
    await client.accounts.list_for_end_user("ann+payroll@example.com")
    assert route.calls.last.request.url.raw_path == (
        b"/v1/end_users/ann%2Bpayroll%40example.com/accounts"
    )


async def test_unknown_monitoring_status_and_fields_survive(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    body = load_fixture("account.json")
    body["data"]["monitoring_status"] = "hibernating"
    body["data"]["data_updated_at"]["tax_forms"] = "2025-06-01T00:00:00.000000+00:00"
    body["data"]["region"] = "us-east"
    api.get("/accounts/acc_1").respond(200, json=body)

    result = await client.accounts.get("acc_1")
    assert result.data.monitoring_status == "hibernating"
    assert result.data.model_extra == {"region": "us-east"}
    dumped = result.model_dump(mode="json")
    assert dumped["data"]["data_updated_at"]["tax_forms"] == "2025-06-01T00:00:00.000000+00:00"


async def test_an_unknown_end_user_is_not_found(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    api.get("/end_users/nobody/accounts").respond(
        404, json={"error": {"type": "RECORD_NOT_FOUND", "code": "END_USER_NOT_FOUND"}}
    )
    with pytest.raises(NotFoundError) as info:
        await client.accounts.list_for_end_user("nobody")
    assert info.value.code == "END_USER_NOT_FOUND"
