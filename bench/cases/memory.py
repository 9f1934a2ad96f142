"""Target 5: peak RSS growth while streaming ``get_profiles`` over many users.

Run as its own process (``python bench/cases/memory.py BASE_URL N``) so the peak is this
case's alone; prints one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _harness as h

from cases._result import CaseResult, Check, table

HISTORY_MONTHS = 3


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


async def _measure(base_url: str, count: int) -> dict[str, float]:
    users = h.batch_users(count)
    client = h.sdk_client(base_url)
    try:
        await h.sdk_profiles(client, users[:50], 10)  # warm: every model and code path used
        gc.collect()
        before = _rss_mb()
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        done = await h.sdk_profiles(client, users, 10)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await client.aclose()
    return {
        "profiles": done,
        "rss_before_mb": before,
        "peak_before_mb": peak_before,
        "peak_mb": peak,
        "growth_mb": peak - max(before, 0.0),
        "wall_s": wall,
    }


async def run(settings: h.Settings) -> CaseResult:
    import subprocess

    result = CaseResult("5. Memory while streaming get_profiles")
    users = h.batch_users(settings.memory_users)
    with h.BenchSandbox(history_months=HISTORY_MONTHS, warm_users=users) as sandbox:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            sandbox.base_url,
            str(len(users)),
            stdout=subprocess.PIPE,
        )
        out, _ = await process.communicate()
    figures = json.loads(out.decode().strip().splitlines()[-1])
    growth = figures["growth_mb"]
    result.tables.append(
        table(
            ["profiles streamed", "RSS before (MB)", "peak RSS (MB)", "growth (MB)", "wall (s)"],
            [
                [
                    str(figures["profiles"]),
                    f"{figures['rss_before_mb']:.1f}",
                    f"{figures['peak_mb']:.1f}",
                    f"{growth:.1f}",
                    f"{figures['wall_s']:.1f}",
                ]
            ],
        )
    )
    result.checks.append(
        Check(
            f"T5 streaming {figures['profiles']} profiles: peak RSS growth",
            f"{growth:.1f} MB",
            growth / 50,
            "< 50 MB",
            growth < 50,
        )
    )
    result.notes.append(
        "Default client, `get_profiles(concurrency=10)`, zero latency, history_months="
        f"{HISTORY_MONTHS}, in a fresh process after 50 warm-up profiles. Growth = peak RSS "
        "(`ru_maxrss`) minus RSS when streaming starts."
    )
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(sys.argv[1], int(sys.argv[2])))))
