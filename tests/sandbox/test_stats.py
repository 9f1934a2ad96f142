"""Stats counters, max_in_flight, latency configuration and the stats route."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from payroll_sdk.sandbox import LatencyConfig, Sandbox, SandboxConfig, SandboxStats, create_app

from .conftest import make_client

TODAY = date(2026, 3, 15)


async def test_counters(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    accounts = (await client.get("/end_users/user_single/accounts")).json()["data"]
    base = f"/accounts/{accounts[0]['id']}"
    await client.get(f"{base}/income")
    await client.get(f"{base}/income", headers={"X-Sandbox-Faults": "503"})
    await client.get(f"{base}/paystubs", headers={"X-Sandbox-Faults": "429-bare"})
    stats = sandbox.stats
    assert stats.total == 4
    assert stats.requests == {"accounts": 1, "income": 2, "paystubs": 1}
    assert stats.faults == {"503": 1, "429-bare": 1}
    assert stats.statuses[200] == 2 and stats.in_flight == 0
    snapshot = stats.as_dict()
    assert snapshot["statuses"] == {"200": 2, "429": 1, "503": 1}
    stats.reset()
    assert stats.total == 0 and not stats.requests and not stats.faults


async def test_max_in_flight_counts_concurrent_requests() -> None:
    config = SandboxConfig(today=TODAY, latency=LatencyConfig(ms=30))
    app = create_app(config)
    async with make_client(app) as client:
        responses = await asyncio.gather(
            *(client.get(f"/end_users/person-{i}/accounts") for i in range(6))
        )
    stats: SandboxStats = app.state.sandbox.stats
    assert all(r.status_code in (200,) for r in responses)
    assert stats.max_in_flight == 6 and stats.in_flight == 0


async def test_sequential_requests_never_overlap(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    for i in range(5):
        await client.get(f"/end_users/person-{i}/accounts")
    assert sandbox.stats.max_in_flight == 1


def test_latency_config() -> None:
    sandbox = Sandbox(
        SandboxConfig(latency=LatencyConfig(ms=10, jitter_ms=5, per_endpoint={"income": 100}))
    )
    assert 0.010 <= sandbox.latency_seconds("paystubs") < 0.015
    assert 0.100 <= sandbox.latency_seconds("income") < 0.105
    assert Sandbox(SandboxConfig()).latency_seconds("income") == 0
    with pytest.raises(ValueError):
        LatencyConfig(per_endpoint={"nowhere": 1})
    with pytest.raises(ValueError):
        LatencyConfig(ms=-1)


async def test_stats_route_requires_the_secret(client: httpx.AsyncClient) -> None:
    await client.get("/end_users/user_single/accounts")
    base = "http://sandbox.test"
    assert (
        await client.get(f"{base}/_sandbox/stats", headers={"X-API-SECRET": "x"})
    ).status_code == 401
    body = (await client.get(f"{base}/_sandbox/stats")).json()
    assert body["total"] == 1 and body["requests"] == {"accounts": 1}
    reset = (await client.post(f"{base}/_sandbox/reset")).json()
    assert reset["total"] == 0
    assert (await client.get(f"{base}/_sandbox/health")).json() == {"status": "ok"}
