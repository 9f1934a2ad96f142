"""Target 3: a batch of users at 50 ms per request with 100 requests in flight, against the
ideal rate (in flight / latency); plus request rate against concurrency for the chart."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import _harness as h
import httpx

from cases._result import CaseResult, Check, table

LATENCY_MS = 50.0
HISTORY_MONTHS = 1  # small bodies: the rate measures the client, not JSON volume
AT_ONCE = 32  # users at once in the main table: ~100 requests in flight (the T3)


def _runners(base_url: str, in_flight: int, at_once: int) -> dict[str, Callable[[], Any]]:
    """Name -> factory of ``(run(users, stop_at), aclose)`` for each client configuration:
    ``at_once`` profiles at a time, at most ``in_flight`` requests in flight."""

    def sdk(httpcore: bool) -> Any:
        client = h.sdk_client(base_url, httpcore=httpcore, max_in_flight=in_flight)
        return (
            lambda users, stop: h.sdk_profiles(client, users, at_once, stop),
            client.aclose,
        )

    def raw(make: Callable[[], Any]) -> Any:
        fetcher = make()
        return (lambda users, stop: h.raw_profiles(fetcher.get, users, at_once, stop),
                fetcher.aclose)  # fmt: skip

    return {
        "SDK (default: aiohttp transport)": lambda: sdk(False),
        "SDK + httpcore (ShardedTransport)": lambda: sdk(True),
        "raw httpx + AiohttpTransport": lambda: raw(
            lambda: h.RawHttpx(base_url, None, in_flight, aiohttp=True)
        ),
        "raw httpx, default limits": lambda: raw(lambda: h.RawHttpx(base_url, None, in_flight)),
        f"raw httpx, Limits({in_flight}, {in_flight})": lambda: raw(
            lambda: h.RawHttpx(
                base_url,
                httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight),
                in_flight,
            )
        ),
        "raw aiohttp": lambda: raw(lambda: h.RawAiohttp(base_url, in_flight)),
    }


async def _rate(
    sandbox: h.BenchSandbox,
    factory: Callable[[], Any],
    users: list[str],
    seconds: float,
) -> tuple[float, h.Usage, int]:
    """Requests per second (counted by the server), the usage, and profiles completed."""
    run, aclose = factory()
    try:
        await run(users[:20], None)  # warm: connections open
        sandbox.reset()
        with h.measure(sandbox) as usage:
            profiles = await run(users, time.perf_counter() + seconds)
        stats = sandbox.stats()
    finally:
        closing: Awaitable[None] = aclose()
        await closing
    finished = sum(stats["statuses"].values())
    if set(stats["statuses"]) - {"200", "404"}:
        raise RuntimeError(f"unexpected statuses in the batch: {stats['statuses']}")
    return finished / usage.wall, usage, profiles


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult("3. Batch throughput (50 ms per request, 100 in flight)")
    in_flight = 100
    ideal = in_flight / (LATENCY_MS / 1000)
    users = h.batch_users(settings.batch_users)
    rows = []
    sweep: dict[str, dict[int, float]] = {}
    with h.BenchSandbox(
        latency_ms=LATENCY_MS, history_months=HISTORY_MONTHS, warm_users=users
    ) as sandbox:
        medians: dict[str, float] = {}
        for name, factory in _runners(sandbox.base_url, in_flight, AT_ONCE).items():
            rates, cpu_per_request, loads, done = [], [], [], []
            # The SDK rows carry the targets; the raw rows are references, run fewer times.
            repeats = settings.repeats if name.startswith("SDK") else max(1, settings.repeats // 2)
            for _ in range(repeats):
                rate, usage, profiles = await _rate(sandbox, factory, users, settings.batch_seconds)
                rates.append(rate)
                cpu_per_request.append(usage.client_cpu / (rate * usage.wall))
                loads.append(usage.server_load)
                done.append(profiles)
            spread = h.Spread(rates)
            medians[name] = spread.median
            rows.append(
                [
                    name,
                    spread.fmt(digits=0),
                    f"{spread.median / ideal:.0%}",
                    f"{h.Spread(cpu_per_request).median * 1e6:.0f}",
                    f"{1 / h.Spread(cpu_per_request).median:.0f}",
                    f"{max(loads):.0%}",
                    f"{min(done)}-{max(done)}",
                ]
            )
            if name.startswith("SDK"):
                share = spread.median / ideal
                result.checks.append(
                    Check(
                        f"T3 {name}: rate vs ideal 2,000 req/s",
                        f"{spread.median:.0f} req/s",
                        share,
                        "≥ 0.90",
                        share >= 0.90,
                    )
                )
        default = "SDK (default: aiohttp transport)"
        versus = medians[default] / medians["raw aiohttp"]
        result.checks.append(
            Check(
                f"T3 {default} vs raw aiohttp in the same run",
                f"{medians[default]:.0f} vs {medians['raw aiohttp']:.0f} req/s",
                versus,
                "≥ 0.90x",
                versus >= 0.90,
            )
        )
        for level in settings.sweep_levels:
            for name, factory in _runners(sandbox.base_url, level, level).items():
                if "Limits(" in name:
                    continue
                rate, _, _ = await _rate(sandbox, factory, users, settings.sweep_seconds)
                sweep.setdefault(name, {})[level] = rate
    result.tables.append(
        table(
            [
                "client",
                "req/s, median (min-max)",
                "of ideal",
                "client CPU µs/request",
                "one-core ceiling req/s (1 / CPU)",
                "server CPU (max)",
                "profiles done per run",
            ],
            rows,
        )
    )
    levels = list(settings.sweep_levels)
    result.tables.append(
        table(
            ["client", *[f"{c} in flight" for c in levels]],
            [
                [name, *[f"{by_level[c]:.0f} ({by_level[c] / (c / 0.05):.0%})" for c in levels]]
                for name, by_level in sweep.items()
            ],
        )
    )
    result.notes.append(
        f"{len(users)} ordinary sandbox users (0-3 accounts, history_months={HISTORY_MONTHS}), "
        f"{LATENCY_MS:.0f} ms per request, up to {in_flight} requests in flight (SDK: "
        f"max_in_flight={in_flight}, get_profiles(concurrency={AT_ONCE}); raw clients: a "
        f"semaphore of {in_flight} and {AT_ONCE} profiles at once). Every client does the "
        f"same work (requests, validation, merge). Each run is cut off after "
        f"{settings.batch_seconds:.0f} s (profiles in progress are cancelled, so the collapsing "
        "configurations end too); the rate is the server's count of answered requests over the "
        "wall time. The second table is the sweep behind the chart "
        f"({settings.sweep_seconds:.1f} s per point, % of in-flight / 50 ms)."
    )
    result.series["throughput_vs_concurrency"] = sweep
    return result
