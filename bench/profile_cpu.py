"""Where the client's CPU goes: ``python bench/profile_cpu.py [--users 200] [--top 30]``.

Runs the same batch twice against the benchmark sandbox (its own process, zero latency,
history_months=3): through the SDK (default client) and through a raw
``httpx.AsyncClient(transport=AiohttpTransport())`` loop doing the same work (same requests,
``model_validate_json``, same merge). Each under cProfile; prints CPU per request and the
functions with the most own time, grouped by package, so the SDK's own share is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h
import httpx
import httpx_aiohttp

CONCURRENCY = 10


def _package(filename: str) -> str:
    for marker in ("payroll_sdk", "httpx_aiohttp", "httpx", "httpcore", "aiohttp", "yarl",
                   "multidict", "pydantic", "tenacity", "asyncio", "h11", "anyio"):  # fmt: skip
        if f"/{marker}/" in filename:
            return marker
    return "other" if filename.startswith("/") else filename


async def _sdk(base_url: str, users: list[str]) -> tuple[float, int]:
    async with h.sdk_client(base_url) as client:
        await h.sdk_profiles(client, users[:5], CONCURRENCY)
        started = time.process_time()
        await h.sdk_profiles(client, users, CONCURRENCY)
        return time.process_time() - started, 0


class _RawHttpxAiohttp(h.RawHttpx):
    def __init__(self, base_url: str, in_flight: int) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url, headers=h.HEADERS, transport=httpx_aiohttp.AiohttpTransport()
        )
        self.semaphore = asyncio.Semaphore(in_flight)


async def _raw(base_url: str, users: list[str]) -> tuple[float, int]:
    fetcher = _RawHttpxAiohttp(base_url, 100)
    try:
        await h.raw_profiles(fetcher.get, users[:5], CONCURRENCY)
        started = time.process_time()
        await h.raw_profiles(fetcher.get, users, CONCURRENCY)
        return time.process_time() - started, 0
    finally:
        await fetcher.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    users = h.batch_users(args.users)
    with h.BenchSandbox(history_months=3, warm_users=users) as sandbox:
        for name, job in (("SDK", _sdk), ("raw httpx + AiohttpTransport", _raw)):
            sandbox.reset()
            profiler = cProfile.Profile()
            profiler.enable()
            cpu, _ = asyncio.run(job(sandbox.base_url, users))
            profiler.disable()
            requests = sandbox.stats()["total"]
            stats = pstats.Stats(profiler)
            by_package: dict[str, float] = defaultdict(float)
            for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
                by_package[_package(filename)] += tottime
            total = sum(by_package.values())
            per_request = cpu / max(1, requests) * 1e6
            print(f"\n== {name}: {requests} requests, {per_request:.0f} µs CPU each (cProfile)")
            for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1]):
                share, each = seconds / total, seconds / requests * 1e6
                print(f"   {package:<14} {share:6.1%}  {each:7.1f} µs/req")
            stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
