"""Scripted and random faults, their shapes, determinism and the script syntax."""

from __future__ import annotations

import email.utils
import json
from datetime import date

import httpx
import pytest

from payroll_sdk.sandbox import (
    ALL_KINDS,
    FaultConfig,
    FaultScriptError,
    SandboxConfig,
    SandboxConnectionDropped,
    create_app,
    parse_fault_script,
)

from .conftest import make_client

TODAY = date(2026, 3, 15)


def faulted(client: httpx.AsyncClient, url: str, script: str, **params: str) -> object:
    return client.get(url, headers={"X-Sandbox-Faults": script}, params=params)


def test_parse_script() -> None:
    items = parse_fault_script("income=500*9, paystubs=429-bare*1, slow:2.5*inf, 429")
    assert [(i.endpoint, i.fault.kind, i.fault.arg, i.count) for i in items] == [
        ("income", "500", None, 9),
        ("paystubs", "429-bare", None, 1),
        (None, "slow", 2.5, float("inf")),
        (None, "429", None, 1),
    ]


@pytest.mark.parametrize(
    "bad", ["boom", "income=boom", "nowhere=500", "500*x", "slow:-1", "500*-2"]
)
def test_bad_scripts_are_rejected(bad: str) -> None:
    with pytest.raises(FaultScriptError):
        parse_fault_script(bad)
    with pytest.raises(ValueError):
        FaultConfig(script=bad)


async def test_scripted_header_counts_per_request_key(client: httpx.AsyncClient) -> None:
    url = "/end_users/user_single/accounts"
    statuses = [(await faulted(client, url, "429*2")).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]
    # Another query is another key; another script starts over.
    assert (await faulted(client, url, "429*2", limit="5")).status_code == 429
    assert (await faulted(client, url, "500*1")).status_code == 500


async def test_scripted_items_apply_in_order(client: httpx.AsyncClient) -> None:
    url = "/end_users/user_single/accounts"
    statuses = [(await faulted(client, url, "429*1,503*2")).status_code for _ in range(4)]
    assert statuses == [429, 503, 503, 200]


async def test_endpoint_filter(client: httpx.AsyncClient) -> None:
    accounts = (await client.get("/end_users/user_single/accounts")).json()["data"]
    base = f"/accounts/{accounts[0]['id']}"
    script = "income=500*9, paystubs=429-bare*1"
    assert (await faulted(client, f"{base}/identity", script)).status_code == 200
    assert (await faulted(client, f"{base}/income", script)).status_code == 500
    response = await faulted(client, f"{base}/paystubs", script)
    assert response.status_code == 429 and "retry-after" not in response.headers
    assert (await faulted(client, f"{base}/paystubs", script)).status_code == 200


async def test_bad_header_script_is_400(client: httpx.AsyncClient) -> None:
    response = await faulted(client, "/end_users/user_single/accounts", "explode*2")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["name"] == "X-Sandbox-Faults"


async def test_fault_shapes(client: httpx.AsyncClient) -> None:
    url = "/end_users/user_three_jobs/accounts"
    r = await faulted(client, url, "429")
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert r.json()["error"]["status_code"] == 429
    r = await faulted(client, url, "429:3")
    assert r.headers["retry-after"] == "3"
    r = await faulted(client, url, "429-date")
    assert email.utils.parsedate_to_datetime(r.headers["retry-after"]) is not None
    for status in (500, 502, 503, 504):
        r = await faulted(client, url, str(status))
        assert r.status_code == status and r.json()["error"]["type"] == "UNKNOWN_ERROR"
        assert r.headers["x-request-id"].startswith("req_")
    r = await faulted(client, url, "502-html")
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    assert "<html>" in r.text
    r = await faulted(client, url, "malformed")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    whole = (await client.get(url, params={"limit": "3"})).content
    r = await faulted(client, url, "truncated", limit="3")
    assert r.status_code == 200 and r.content == whole[: len(whole) // 2]
    r = await faulted(client, url, "slow:0.01", limit="3")
    assert r.content == whole


async def test_repeat_cursor_makes_a_loop(client: httpx.AsyncClient) -> None:
    url = "/end_users/user_three_jobs/accounts"
    first = (await faulted(client, url, "repeat-cursor*inf", limit="1")).json()
    cursor = first["meta"]["next_cursor"]
    second = (await faulted(client, url, "repeat-cursor*inf", limit="1", cursor=cursor)).json()
    assert second["meta"]["next_cursor"] == cursor
    # Single objects have no cursor: the fault does nothing there.
    account_id = first["data"][0]["id"]
    r = await faulted(client, f"/accounts/{account_id}", "repeat-cursor")
    assert r.status_code == 200


async def test_drop_in_process_is_a_transport_error(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.RemoteProtocolError) as caught:
        await faulted(client, "/end_users/user_single/accounts", "drop")
    assert isinstance(caught.value, SandboxConnectionDropped)
    assert isinstance(caught.value, httpx.TransportError)


async def test_server_wide_script() -> None:
    app = create_app(SandboxConfig(today=TODAY, faults=FaultConfig(script="income=500*inf")))
    async with make_client(app) as client:
        accounts = (await client.get("/end_users/user_single/accounts")).json()["data"]
        base = f"/accounts/{accounts[0]['id']}"
        assert [(await client.get(f"{base}/income")).status_code for _ in range(3)] == [500] * 3
        assert (await client.get(f"{base}/identity")).status_code == 200


async def fault_pattern(seed: int, order: list[int]) -> dict[int, list[int]]:
    config = SandboxConfig(
        today=TODAY, faults=FaultConfig(rate=0.4, seed=seed, kinds=("500", "503", "429"))
    )
    app = create_app(config)
    seen: dict[int, list[int]] = {}
    async with make_client(app) as client:
        for i in order:
            response = await client.get(f"/end_users/person-{i}/accounts")
            seen.setdefault(i, []).append(response.status_code)
    return seen


async def test_random_faults_are_deterministic_and_order_independent() -> None:
    order = [i for i in range(40) for _ in range(3)]
    a = await fault_pattern(1, order)
    b = await fault_pattern(1, list(reversed(order)))
    c = await fault_pattern(2, order)
    assert a == b
    assert a != c
    statuses = [s for v in a.values() for s in v]
    assert 0.2 < sum(s != 200 for s in statuses) / len(statuses) < 0.6
    # A retry is a fresh draw: some keys fail first and then succeed.
    assert any(v[0] != 200 and 200 in v[1:] for v in a.values())


def test_fault_config_validation() -> None:
    with pytest.raises(ValueError):
        FaultConfig(rate=1.5)
    with pytest.raises(ValueError):
        FaultConfig(kinds=("teapot",))
    assert "repeat-cursor" in ALL_KINDS and "drop" in ALL_KINDS
