"""Fetch many sandbox users' profiles with bounded concurrency, as JSON lines.

    python examples/batch_profiles.py [COUNT] [OUT.jsonl]

Results stream as they complete (constant memory); on a terminal a progress bar goes to
stderr. Needs the SDK's ``sandbox`` extra (``pip install 'payroll-sdk[sandbox]'``); without it
the script says so in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

from payroll_sdk import PayrollClient

try:
    from payroll_sdk.sandbox import LatencyConfig, SandboxConfig
except ModuleNotFoundError as exc:  # the sandbox extra is missing: say what to install
    sys.exit(str(exc))


def progress(done: int, total: int | None) -> None:
    if total and sys.stderr.isatty():
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


async def main(count: int, out_path: str) -> None:
    ids = [f"user_{n:05d}" for n in range(count)]
    config = SandboxConfig(latency=LatencyConfig(ms=20, jitter_ms=10))
    counts = {"complete": 0, "partial": 0, "failed": 0}
    started = time.perf_counter()
    async with PayrollClient.sandbox(config) as client:
        # Small buffered writes to a local file: not worth a thread per line here.
        with open(out_path, "w", encoding="utf-8") as out:  # noqa: ASYNC230
            results = client.get_profiles(ids, concurrency=25, on_progress=progress)
            async with contextlib.aclosing(results):
                async for result in results:
                    if result.profile is None:
                        counts["failed"] += 1
                        continue
                    counts["complete" if result.profile.complete else "partial"] += 1
                    out.write(result.profile.model_dump_json() + "\n")
    elapsed = time.perf_counter() - started
    print(f"{count} users in {elapsed:.1f} s -> {out_path}: {counts}")


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 200,
            sys.argv[2] if len(sys.argv) > 2 else "profiles.jsonl",
        )
    )
