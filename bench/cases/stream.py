"""Target 7: 10,000 users streamed through ``get_profiles`` at ~100 requests in flight and
50 ms per request: the request rate must stay flat from the first window to the last, and
peak RSS must grow by less than 50 MB.

Run as its own process (``python bench/cases/stream.py BASE_URL ORIGIN N``) so the memory
figures are this case's alone; prints one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import resource
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _harness as h

from cases._result import CaseResult, Check, table

LATENCY_MS = 50.0
HISTORY_MONTHS = 1
CONCURRENCY = 32  # users at once: ~100 requests in flight (the default max_in_flight)
WINDOW_S = 5.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _served(origin: str) -> int:
    request = urllib.request.Request(origin + "/_sandbox/stats", headers={"X-API-SECRET": h.SECRET})
    with urllib.request.urlopen(request, timeout=10) as response:
        total: int = json.load(response)["total"]
    return total


async def _measure(base_url: str, origin: str, count: int) -> dict[str, object]:
    users = h.batch_users(count)
    client = h.sdk_client(base_url)
    windows: list[tuple[float, int, float]] = []  # (time, requests served so far, RSS MB)
    try:
        await h.sdk_profiles(client, users[:64], CONCURRENCY)  # warm
        gc.collect()
        before = _rss_mb()
        started = time.perf_counter()
        windows.append((0.0, await asyncio.to_thread(_served, origin), before))
        stream = asyncio.create_task(h.sdk_profiles(client, users, CONCURRENCY))
        while not stream.done():
            await asyncio.wait({stream}, timeout=WINDOW_S)
            served = await asyncio.to_thread(_served, origin)
            windows.append((time.perf_counter() - started, served, _rss_mb()))
        done = stream.result()
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await client.aclose()
    rates = [
        (n1 - n0) / (t1 - t0)
        for (t0, n0, _), (t1, n1, _) in itertools.pairwise(windows)
        if t1 - t0 >= WINDOW_S * 0.9  # full windows only (the last one is usually cut short)
    ]
    return {
        "profiles": done,
        "wall_s": wall,
        "requests": windows[-1][1] - windows[0][1],
        "rates": rates,
        "rss_before_mb": before,
        "rss_windows_mb": [w[2] for w in windows],
        "peak_mb": peak,
        "growth_mb": peak - before,
    }


async def run(settings: h.Settings) -> CaseResult:
    import subprocess

    result = CaseResult("7. Streaming 10,000 users (50 ms per request, ~100 in flight)")
    users = h.batch_users(settings.stream_users)
    with h.BenchSandbox(
        latency_ms=LATENCY_MS, history_months=HISTORY_MONTHS, warm_users=users
    ) as sandbox:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            sandbox.base_url,
            sandbox.origin,
            str(len(users)),
            stdout=subprocess.PIPE,
        )
        out, _ = await process.communicate()
    figures = json.loads(out.decode().strip().splitlines()[-1])
    rates: list[float] = figures["rates"]
    first, last = rates[0], rates[-1]
    median = statistics.median(rates)
    growth = figures["growth_mb"]
    result.tables.append(
        table(
            [
                "users",
                "requests",
                "wall (s)",
                "req/s: first window",
                "median",
                "last window",
                "min",
                "RSS before (MB)",
                "peak RSS (MB)",
                "growth (MB)",
            ],
            [
                [
                    str(figures["profiles"]),
                    str(figures["requests"]),
                    f"{figures['wall_s']:.1f}",
                    f"{first:.0f}",
                    f"{median:.0f}",
                    f"{last:.0f}",
                    f"{min(rates):.0f}",
                    f"{figures['rss_before_mb']:.1f}",
                    f"{figures['peak_mb']:.1f}",
                    f"{growth:.1f}",
                ]
            ],
        )
    )
    result.tables.append(
        table(
            ["window", *[str(i + 1) for i in range(len(rates))]],
            [["req/s", *[f"{r:.0f}" for r in rates]]],
        )
    )
    flat = last / first
    result.checks.append(
        Check(
            f"T7 {figures['profiles']} users streamed: last window's req/s vs the first",
            f"{first:.0f} → {last:.0f} req/s (min {min(rates):.0f})",
            flat,
            "≥ 0.90 (flat)",
            flat >= 0.90,
        )
    )
    result.checks.append(
        Check(
            f"T7 {figures['profiles']} users streamed: peak RSS growth",
            f"{growth:.1f} MB",
            growth / 50,
            "< 50 MB",
            growth < 50,
        )
    )
    result.notes.append(
        f"Default client (max_in_flight=100), `get_profiles(concurrency={CONCURRENCY})` over "
        f"{len(users)} ordinary users (history_months={HISTORY_MONTHS}), {LATENCY_MS:.0f} ms per "
        f"request, in a fresh process after 64 warm-up profiles. The rate is the server's count "
        f"of answered requests per {WINDOW_S:.0f} s window (full windows only). Growth = peak "
        "RSS (`ru_maxrss`) minus RSS when streaming starts."
    )
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(sys.argv[1], sys.argv[2], int(sys.argv[3])))))
