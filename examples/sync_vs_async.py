"""The experiment this SDK comes from, redone on the sandbox with realistic latency.

One end user's profile is fetched twice from a sandbox served over loopback, every endpoint
answering after ~50 ms: first call after call with a plain synchronous HTTP client (what most
integrations do; ``httpx.Client`` here, the same shape as ``requests`` and already installed
with the SDK), then with ``get_profile`` (accounts first, then everything else at once).
Prints both times and the ratio::

    python examples/sync_vs_async.py [END_USER_ID] [LATENCY_MS]

Needs the SDK's ``sandbox`` extra (``pip install 'payroll-sdk[sandbox]'``); without it the
script says so in one line.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import httpx

from payroll_sdk import PayrollClient

try:
    from payroll_sdk.sandbox import LatencyConfig, SandboxConfig, SandboxServer
except ModuleNotFoundError as exc:  # the sandbox extra is missing: say what to install
    sys.exit(str(exc))

RESOURCES = ("income", "identity", "employment", "direct_deposit_allocations")


def fetch_sequentially(base_url: str, secret: str, end_user_id: str) -> int:
    """Every call one after another, following cursors: returns the number of requests."""
    session = httpx.Client(
        headers={"X-API-SECRET": secret, "Pinwheel-Version": "2025-07-08"}, timeout=30
    )
    calls = 0

    def get_all(path: str) -> list[Any]:
        nonlocal calls
        items: list[Any] = []
        cursor = None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            body = session.get(f"{base_url}/{path}", params=params).json()
            calls += 1
            items.extend(body["data"])
            cursor = body["meta"]["next_cursor"]
            if not cursor:
                return items

    for account in get_all(f"end_users/{end_user_id}/accounts"):
        get_all(f"accounts/{account['id']}/paystubs")
        get_all(f"accounts/{account['id']}/shifts")
        for name in RESOURCES:
            session.get(f"{base_url}/accounts/{account['id']}/{name}")
            calls += 1
    session.close()
    return calls


async def fetch_with_sdk(base_url: str, secret: str, end_user_id: str) -> int:
    async with PayrollClient(api_secret=secret, base_url=base_url) as client:
        profile = await client.get_profile(end_user_id)
    return profile.attempts


def main(end_user_id: str, latency_ms: float) -> None:
    config = SandboxConfig(latency=LatencyConfig(ms=latency_ms))
    with SandboxServer(config) as server:
        started = time.perf_counter()
        calls = fetch_sequentially(server.base_url, server.secret, end_user_id)
        sequential = time.perf_counter() - started

        started = time.perf_counter()
        asyncio.run(fetch_with_sdk(server.base_url, server.secret, end_user_id))
        concurrent = time.perf_counter() - started

    print(f"{end_user_id}: {calls} requests at ~{latency_ms:.0f} ms each")
    print(f"one call after another:          {sequential * 1000:7.0f} ms")
    print(f"payroll-sdk get_profile:          {concurrent * 1000:7.0f} ms")
    ratio = sequential / concurrent
    # Honest either way: with little latency (or one account) there is little to overlap.
    verdict = f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
    print(f"ratio: get_profile was {verdict}")


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "user_three_jobs",
        float(sys.argv[2]) if len(sys.argv) > 2 else 50.0,
    )
