"""The SDK's models accept every sandbox response in strict mode (about 50 users)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

models = pytest.importorskip("payroll_sdk.models")

SINGLE = {
    "income": models.Income,
    "identity": models.Identity,
    "employment": models.Employment,
    "direct_deposit_allocations": models.DirectDepositAllocations,
}
USERS = [
    "user_single",
    "user_three_jobs",
    "user_missing_income",
    "user_degraded",
    "user_new_fields",
    "user_terminated",
    *(f"model-user-{i}" for i in range(44)),
]


def check(model: Any, body: bytes) -> Any:
    return model.model_validate_json(body, strict=True)


async def test_models_accept_sandbox_responses_strictly(client: httpx.AsyncClient) -> None:
    validated = 0
    for user in USERS:
        response = await client.get(f"/end_users/{user}/accounts", params={"limit": 100})
        page = check(models.ListResponse[models.PayrollAccount], response.content)
        assert len(page.data) == page.meta.count
        for account in page.data:
            base = f"/accounts/{account.id}"
            check(models.ObjectResponse[models.PayrollAccount], (await client.get(base)).content)
            for name, url, model in (
                ("paystubs", f"{base}/paystubs", models.Paystub),
                ("shifts", f"{base}/shifts", models.Shift),
            ):
                params: dict[str, str] = {"limit": "100"}
                while True:
                    raw = (await client.get(url, params=params)).content
                    parsed = check(models.ListResponse[model], raw)
                    validated += len(parsed.data)
                    if name == "paystubs" and parsed.data:
                        one = await client.get(f"{url}/{parsed.data[0].id}")
                        check(models.ObjectResponse[models.Paystub], one.content)
                    if parsed.meta.next_cursor is None:
                        break
                    params["cursor"] = parsed.meta.next_cursor
            for name, model in SINGLE.items():
                one = await client.get(f"{base}/{name}")
                if one.status_code == 404:
                    assert user == "user_missing_income" and name == "income"
                    continue
                parsed = check(models.ObjectResponse[model], one.content)
                assert parsed.meta.refreshed_at is not None
                validated += 1
    assert validated > 1000


async def test_pages_validate_from_the_raw_bytes(client: httpx.AsyncClient) -> None:
    accounts = (await client.get("/end_users/user_three_jobs/accounts")).json()["data"]
    response = await client.get(f"/accounts/{accounts[1]['id']}/paystubs", params={"limit": 5})
    page = check(models.ListResponse[models.Paystub], response.content)
    assert page.meta.count == 5 and page.meta.next_cursor
    assert all(isinstance(p.gross_pay_amount, int) for p in page.data)
