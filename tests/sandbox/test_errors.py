"""Authentication, version, not-found and validation errors: statuses and bodies."""

from __future__ import annotations

import httpx
import pytest

from .conftest import HEADERS, first_account_id


def assert_error(response: httpx.Response, status: int, type_: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["x-request-id"].startswith("req_")
    error: dict[str, object] = response.json()["error"]
    assert error["type"] == type_
    assert error["status_code"] == status
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


async def test_missing_secret_is_401(client: httpx.AsyncClient) -> None:
    headers = {"Pinwheel-Version": "2025-07-08"}
    client.headers.pop("X-API-SECRET")
    response = await client.get("/end_users/user_single/accounts", headers=headers)
    assert assert_error(response, 401, "UNAUTHORIZED_REQUEST")["code"] == "MISSING_API_SECRET"


async def test_wrong_secret_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/end_users/user_single/accounts", headers={"X-API-SECRET": "nope"})
    assert assert_error(response, 401, "UNAUTHORIZED_REQUEST")["code"] == "INVALID_API_SECRET"
    assert "nope" not in response.text


@pytest.mark.parametrize("version", [None, "2024-01-01", ""])
async def test_missing_or_unknown_version_is_400(
    client: httpx.AsyncClient, version: str | None
) -> None:
    client.headers.pop("Pinwheel-Version")
    headers = {} if version is None else {"Pinwheel-Version": version}
    response = await client.get("/end_users/user_single/accounts", headers=headers)
    error = assert_error(response, 400, "INVALID_REQUEST_PARAMETERS")
    assert error["fields"] == [{"name": "Pinwheel-Version", "message": error["message"]}]


@pytest.mark.parametrize(
    "version", ["2025-07-08", "2023-11-22", "2023-07-18", "2023-04-18", "2022-03-02"]
)
async def test_every_allowed_version_is_accepted(client: httpx.AsyncClient, version: str) -> None:
    response = await client.get(
        "/end_users/user_single/accounts", headers={"Pinwheel-Version": version}
    )
    assert response.status_code == 200


async def test_unknown_end_user_and_account_are_404(client: httpx.AsyncClient) -> None:
    for user in ("user_unknown", "unknown_42"):
        response = await client.get(f"/end_users/{user}/accounts")
        assert assert_error(response, 404, "RECORD_NOT_FOUND")["code"] == "END_USER_NOT_FOUND"
    response = await client.get("/accounts/8c7e3a51-6f0e-4c1b-9d52-0c6f3b0f2f11/income")
    assert_error(response, 404, "RECORD_NOT_FOUND")


async def test_unknown_paystub_is_404(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_single")
    response = await client.get(
        f"/accounts/{account_id}/paystubs/8c7e3a51-6f0e-4c1b-9d52-0c6f3b0f2f11"
    )
    assert assert_error(response, 404, "RECORD_NOT_FOUND")["code"] == "PAYSTUB_NOT_FOUND"


async def test_malformed_account_id_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/accounts/not-a-uuid/paystubs")
    error = assert_error(response, 400, "INVALID_REQUEST_PARAMETERS")
    assert error["fields"] == [{"name": "account_id", "message": "account_id must be a UUID"}]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": "eyJvIjoxfQ"}, "cursor"),  # valid base64 JSON, but no binding
        ({"from_pay_date": "2026-13-01"}, "from_pay_date"),
        ({"to_pay_date": "yesterday"}, "to_pay_date"),
        ({"from_pay_date": "2026-03-01", "to_pay_date": "2026-02-01"}, "from_pay_date"),
    ],
)
async def test_bad_query_parameters_are_400_with_fields(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    account_id = await first_account_id(client, "user_single")
    response = await client.get(f"/accounts/{account_id}/paystubs", params=params)
    error = assert_error(response, 400, "INVALID_REQUEST_PARAMETERS")
    fields = error["fields"]
    assert isinstance(fields, list) and fields[0]["name"] == field


async def test_bad_shift_dates_are_400(client: httpx.AsyncClient) -> None:
    account_id = await first_account_id(client, "user_three_jobs", 1)
    response = await client.get(f"/accounts/{account_id}/shifts", params={"to_end_date": "x"})
    assert_error(response, 400, "INVALID_REQUEST_PARAMETERS")


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/nothing/here"), 404, "RECORD_NOT_FOUND")
    response = await client.post("/end_users/user_single/accounts")
    assert_error(response, 405, "INVALID_REQUEST_PARAMETERS")


async def test_every_response_has_a_distinct_request_id(client: httpx.AsyncClient) -> None:
    ids = set()
    for url in ("/end_users/user_single/accounts", "/end_users/user_unknown/accounts"):
        for _ in range(3):
            ids.add((await client.get(url)).headers["x-request-id"])
    assert len(ids) == 6


async def test_checks_run_in_documented_order(client: httpx.AsyncClient) -> None:
    # A wrong secret wins over a bad version and an unknown user.
    response = await client.get(
        "/end_users/user_unknown/accounts",
        headers={**HEADERS, "X-API-SECRET": "x", "Pinwheel-Version": "1999-01-01"},
    )
    assert response.status_code == 401
