"""Target 4: client CPU per request at zero latency with full bodies (request, parse,
validate, merge), the SDK against the same work written by hand on the same library."""

from __future__ import annotations

from typing import Any

import _harness as h

from cases._result import CaseResult, Check, table

HISTORY_MONTHS = 24  # full bodies: two years of paystubs and shifts
PROFILES_AT_ONCE = 1  # one profile at a time: its fan-out stays inside httpx's default pool


def _configs(base_url: str) -> dict[str, Any]:
    def sdk(httpcore: bool) -> Any:
        client = h.sdk_client(base_url, httpcore=httpcore)
        return lambda users: h.sdk_profiles(client, users, PROFILES_AT_ONCE), client.aclose

    def raw(fetcher: Any) -> Any:
        return lambda users: h.raw_profiles(fetcher.get, users, PROFILES_AT_ONCE), fetcher.aclose

    return {
        "SDK (default: aiohttp transport)": lambda: sdk(False),
        "raw httpx + AiohttpTransport": lambda: raw(h.RawHttpx(base_url, None, 100, aiohttp=True)),
        "raw aiohttp": lambda: raw(h.RawAiohttp(base_url, 100)),
        "SDK + httpcore (ShardedTransport)": lambda: sdk(True),
        "raw httpx (httpcore)": lambda: raw(h.RawHttpx(base_url, None, 100)),
    }


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult("4. Client CPU per request (zero latency, full bodies)")
    users = h.batch_users(settings.cpu_users)
    per_request: dict[str, list[float]] = {}
    loads: dict[str, list[float]] = {}
    requests = 0
    with h.BenchSandbox(history_months=HISTORY_MONTHS, warm_users=users) as sandbox:
        configs = _configs(sandbox.base_url)
        for _ in range(settings.repeats):
            # Interleaved, so drift in the machine's load hits every configuration alike.
            for name, factory in configs.items():
                run_users, aclose = factory()
                try:
                    await run_users(users[:3])  # warm: connections, models, caches
                    sandbox.reset()
                    with h.measure(sandbox) as usage:
                        await run_users(users)
                    requests = sandbox.stats()["total"]
                finally:
                    await aclose()
                per_request.setdefault(name, []).append(usage.client_cpu / requests)
                loads.setdefault(name, []).append(usage.server_load)
    spreads = {name: h.Spread(values) for name, values in per_request.items()}
    rows = [
        [name, spread.fmt(1e6, 0), f"{max(loads[name]):.0%}"] for name, spread in spreads.items()
    ]
    result.tables.append(
        table(["client", "CPU µs per request, median (min-max)", "server CPU (max)"], rows)
    )
    for sdk_name, raw_name, bound in (
        ("SDK (default: aiohttp transport)", "raw httpx + AiohttpTransport", 1.0),
        ("SDK (default: aiohttp transport)", "raw aiohttp", 1.5),
        ("SDK + httpcore (ShardedTransport)", "raw httpx (httpcore)", 1.0),
    ):
        ratio = spreads[sdk_name].median / spreads[raw_name].median
        result.checks.append(
            Check(
                f"T4 {sdk_name} vs {raw_name}: CPU per request",
                f"{spreads[sdk_name].median * 1e6:.0f} vs {spreads[raw_name].median * 1e6:.0f} µs",
                ratio,
                f"≤ {bound}x",
                ratio <= bound,
            )
        )
    result.notes.append(
        f"{len(users)} ordinary users ({requests} requests per pass, history_months="
        f"{HISTORY_MONTHS}), one profile at a time, {settings.repeats} interleaved passes. "
        "CPU is `time.process_time()` of the client process; the sandbox runs in another process."
    )
    return result
