"""Export benchmark: stream ``get_profiles`` into Parquet and measure memory growth.

Issue 15's bound: 2,000 profiles export to Parquet with peak RSS growth < 100 MB. The sandbox
runs in its own process (``_harness.BenchSandbox``), the export in a fresh child process so the
peak is the export's alone::

    python bench/export_parquet.py [--users 2000] [--history-months 24]

Prints one JSON line per run and a Markdown table row; write the figures to
bench/RESULTS.md ("Export to Parquet"). Growth = peak RSS (``ru_maxrss``) minus RSS when the
streaming starts, after 50 warm-up profiles exported the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import aclosing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

from payroll_sdk.export import ParquetWriter

BOUND_MB = 100


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


async def _export(base_url: str, users: list[str], out: Path) -> dict[str, float]:
    client = h.sdk_client(base_url)
    try:
        async with client:
            with ParquetWriter(out / "warm") as warm:  # every model and code path used once
                async with aclosing(client.get_profiles(users[:50], concurrency=10)) as results:
                    async for result in results:
                        warm.write_result(result)
            gc.collect()
            before = _rss_mb()
            started = time.perf_counter()
            with ParquetWriter(out / "export") as writer:
                async with aclosing(client.get_profiles(users, concurrency=10)) as results:
                    async for result in results:
                        writer.write_result(result)
            wall = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await client.aclose()
    size = sum(f.stat().st_size for f in (out / "export").glob("*.parquet"))
    return {
        "profiles": writer.rows["summary"],
        "failures": writer.rows["failures"],
        "paystub_rows": writer.rows["paystubs"],
        "line_rows": writer.rows["earnings"] + writer.rows["deductions"] + writer.rows["taxes"],
        "shift_rows": writer.rows["shifts"],
        "parquet_mb": size / 2**20,
        "rss_before_mb": before,
        "peak_mb": peak,
        "growth_mb": peak - before,
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument("--child", nargs=2, metavar=("BASE_URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    users = h.batch_users(args.users)
    if args.child:
        figures = asyncio.run(_export(args.child[0], users, Path(args.child[1])))
        print(json.dumps(figures))
        return
    with (
        h.BenchSandbox(history_months=args.history_months, warm_users=users) as sandbox,
        tempfile.TemporaryDirectory(prefix="bench-export-") as out,
    ):
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--users",
                str(args.users),
                "--child",
                sandbox.base_url,
                out,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(figures))
    verdict = "PASS" if figures["growth_mb"] < BOUND_MB else "FAIL"
    print(
        f"| {figures['profiles']:.0f} profiles, {args.history_months} months | "
        f"{figures['paystub_rows']:.0f} paystubs, {figures['line_rows']:.0f} lines, "
        f"{figures['shift_rows']:.0f} shifts | {figures['parquet_mb']:.1f} MB | "
        f"{figures['rss_before_mb']:.1f} | {figures['peak_mb']:.1f} | "
        f"{figures['growth_mb']:.1f} | {figures['wall_s']:.0f} s | < {BOUND_MB} MB: **{verdict}** |"
    )


if __name__ == "__main__":
    main()
