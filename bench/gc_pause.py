"""The cycle collector paused while a body becomes models (``payroll_sdk._gc``), on and off.

    python bench/gc_pause.py [--pairs 4] [--output bench/RESULTS.md]

Two workloads with large bodies, each run in fresh processes, the two arms interleaved (on,
off, off, on, ...) so that a drifting machine hurts both alike:

* ``history``: 150 users with 24 months of history, 50 at once, 50 ms per request, the
  sandbox in its own process (the first pass of issue 12's T8 without the store);
* ``sandbox``: 200 users through ``PayrollClient.sandbox()`` (the examples' and tests' case),
  a warm pass after the cold one.

"off" replaces the pause with ``contextlib.nullcontext`` in the measured process; nothing else
differs. Each run reports wall and CPU time and, from ``gc.callbacks``, the passes of each
generation and the time spent in them. Writes its own section of bench/RESULTS.md (between the
GC markers; the rest is left alone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
START, END = "<!-- GC start -->", "<!-- GC end -->"


class _Collector:
    """Passes per generation and seconds inside them, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.passes = [0, 0, 0]
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes[info["generation"]] += 1
            self.seconds += time.perf_counter() - self._started


async def _history(users: list[str], base_url: str) -> None:
    import _harness as h

    async with h.sdk_client(base_url, max_in_flight=200) as client:
        await h.sdk_profiles(client, users, 50)


async def _sandbox(users: list[str]) -> None:
    from payroll_sdk import PayrollClient

    async with PayrollClient.sandbox() as client:
        async for result in client.get_profiles(users, concurrency=10):
            if result.error is not None:
                raise result.error


def _measure(arm: str, workload: str, base_url: str) -> dict[str, Any]:
    """One run in this process (the child side)."""
    sys.path.insert(0, str(BENCH))
    if arm == "off":
        from payroll_sdk.models import _envelope

        _envelope.collector_paused = contextlib.nullcontext  # type: ignore[assignment]
    if workload == "history":
        users = [f"gc_bench_{n}" for n in range(150)]
        asyncio.run(_history(users[:20], base_url))  # warm: connections, validators

        def work() -> None:
            asyncio.run(_history(users, base_url))
    else:
        users = [f"bench_{n}" for n in range(200)]
        asyncio.run(_sandbox(users))  # cold: generates every user

        def work() -> None:
            asyncio.run(_sandbox(users))

    collector = _Collector()
    gc.callbacks.append(collector)
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.callbacks.remove(collector)
    return {"wall": wall, "cpu": cpu, "gc": collector.seconds, "passes": collector.passes}


def _run(arm: str, workload: str, base_url: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", arm, workload, base_url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _row(workload: str, arm: str, runs: list[dict[str, Any]]) -> str:
    def spread(key: str) -> str:
        values = [r[key] for r in runs]
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    passes = "/".join(f"{statistics.median(r['passes'][g] for r in runs):.0f}" for g in range(3))
    label = "paused (default)" if arm == "on" else "not paused"
    return (
        f"| {workload} | {label} | {spread('wall')} | {spread('cpu')} | {spread('gc')} | {passes} |"
    )


def _write(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_measure(*sys.argv[2:5])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    import _harness as h

    load_before = os.getloadavg()
    started = datetime.now(UTC)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    users = [f"gc_bench_{n}" for n in range(150)]
    with h.BenchSandbox(latency_ms=50, history_months=24, warm_users=users) as sandbox:
        for workload in ("history", "sandbox"):
            for pair in range(args.pairs):
                for arm in ("on", "off") if pair % 2 == 0 else ("off", "on"):
                    run = _run(arm, workload, sandbox.base_url)
                    results.setdefault((workload, arm), []).append(run)
                    print(f"[gc] {workload} {arm}: {run}", flush=True)
    load_after = os.getloadavg()
    lines = [
        START,
        "## The cycle collector paused while parsing (`payroll_sdk._gc`)",
        "",
        f"_Measured {started:%Y-%m-%d %H:%M} UTC by `python bench/gc_pause.py --pairs "
        f"{args.pairs}`; load average (1 min) {load_before[0]:.2f} at start, "
        f"{load_after[0]:.2f} at end, on {os.cpu_count()} cores._",
        "",
        "| workload | collector during a parse | wall s, median (min-max) | CPU s | "
        "in the collector s | passes gen 0/1/2 (median) |",
        "|---|---|---|---|---|---|",
    ]
    for workload in ("history", "sandbox"):
        for arm in ("on", "off"):
            lines.append(_row(workload, arm, results[(workload, arm)]))
    lines += [
        "",
        "history: 150 users with 24 months of history, `get_profiles(concurrency=50)`, 50 ms "
        "per request, sandbox in its own process, after 20 warm-up users. sandbox: 200 "
        "ordinary users through `PayrollClient.sandbox()`, the warm pass after a cold one. "
        "Each run is a fresh process; the two arms alternate.",
        END,
    ]
    _write(args.output, "\n".join(lines))
    print(f"[gc] wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
