"""T9: batch throughput on Celery workers, 1 vs 2 worker processes, and under the global limit.

    python bench/celery_scale.py [--users 600] [--chunk 20] [--rate 100] [--output bench/RESULTS.md]

Needs Redis and PostgreSQL on this machine (``PAYROLL_TEST_REDIS_URL``,
``PAYROLL_TEST_POSTGRES_URL``, the test suite's defaults). Each run: a fresh PostgreSQL
database, one ``celery -A payroll_sdk.celery worker --concurrency N`` (prefork: N processes),
the sandbox (zero latency) in its own process, ``sync_users(ids, chunk_size)`` and the wall
time from enqueueing until no user is pending. Runs alternate between 1 and 2 processes so
the machine's load hits both alike. The limited run serves the sandbox with
an arrival clock (tests/celery_workers/arrivals.py, its own process), to count the requests
the server saw in each one-second window.

Writes its own section of bench/RESULTS.md (between the T9 markers; the rest is left alone).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from payroll_sdk.sandbox import SandboxConfig, SandboxProcess
from payroll_sdk.store import ProfileStore

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "celery_workers" / "harness.py"
START, END = "<!-- T9 start -->", "<!-- T9 end -->"
TODAY = date(2026, 3, 15)
HISTORY_MONTHS = 3


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("celery_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def _database(admin_url: str, name: str, *, drop: bool) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    url = make_url(admin_url)
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            if drop:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    store_url = url.set(database=name).render_as_string(hide_password=False)
    if not drop:
        async with ProfileStore(store_url):
            pass
    return store_url


def _cpu_jiffies() -> tuple[int, int]:
    """Busy and total CPU time of the whole machine so far (``/proc/stat``, all cores)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Cores kept busy between two ``_cpu_jiffies`` readings (by every process)."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * busy / total if total else 0.0


def _busiest_second(arrivals: list[float]) -> int:
    times = sorted(arrivals)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def run_once(
    harness: ModuleType,
    *,
    processes: int,
    users: int,
    chunk: int,
    base_url: str,
    secret: str,
    redis_url: str,
    admin_url: str,
    extra: dict[str, str] | None = None,
) -> tuple[float, Any, float]:
    """Seconds from enqueueing to done, the final progress, and the cores the whole machine
    kept busy meanwhile (workers, sandbox, PostgreSQL, Redis)."""
    prefix = f"payroll-bench-{uuid.uuid4().hex[:8]}:"
    name = f"payroll_bench_{uuid.uuid4().hex[:10]}"
    store_url = asyncio.run(_database(admin_url, name, drop=False))
    env = harness.cluster_env(
        redis_url=redis_url,
        prefix=prefix,
        store_url=store_url,
        base_url=base_url,
        secret=secret,
        extra=extra,
    )
    with tempfile.TemporaryDirectory() as logs:
        cluster = harness.Cluster(env=env, log_dir=Path(logs))
        try:
            cluster.start_worker("bench", concurrency=processes)
            cluster.wait_ready()
            ids = [f"bench_{uuid.uuid4().hex[:6]}_{i:06d}" for i in range(users)]
            started, cpu_before = time.perf_counter(), _cpu_jiffies()
            handle = cluster.sync(ids, chunk_size=chunk)
            progress = cluster.wait(handle, timeout=1800)
            elapsed = time.perf_counter() - started
            cores = _busy_cores(cpu_before, _cpu_jiffies())
            handle.close()
        finally:
            cluster.stop()
            harness.delete_prefix(redis_url, prefix)
            asyncio.run(_database(admin_url, name, drop=True))
    return elapsed, progress, cores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=600)
    parser.add_argument("--chunk", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--rate", type=int, default=100, help="global limit, requests/s")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--limit-only", action="store_true", help="only the limited run")
    args = parser.parse_args()
    harness = load_harness()
    redis_url = os.environ.get("PAYROLL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    admin_url = os.environ.get(
        "PAYROLL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    load_before = os.getloadavg()
    config = SandboxConfig(today=TODAY, history_months=HISTORY_MONTHS)
    rows: dict[int, list[tuple[float, int, float]]] = {1: [], 2: []}
    with SandboxProcess(config) as sandbox:
        for repeat in range(0 if args.limit_only else args.repeats):
            for processes in (1, 2) if repeat % 2 == 0 else (2, 1):
                before = sandbox.fetch_stats()["total"]
                elapsed, progress, cores = run_once(
                    harness,
                    processes=processes,
                    users=args.users,
                    chunk=args.chunk,
                    base_url=sandbox.base_url,
                    secret=sandbox.secret,
                    redis_url=redis_url,
                    admin_url=admin_url,
                )
                requests = sandbox.fetch_stats()["total"] - before
                print(
                    f"[T9] {processes} process(es): {args.users} users in {elapsed:.1f}s "
                    f"({args.users / elapsed:.1f} users/s, {requests / elapsed:.0f} req/s, machine "
                    f"{cores:.2f} cores busy) {progress}",
                    flush=True,
                )
                rows[processes].append((elapsed, requests, cores))

    limited_users = max(50, args.rate * 20 // 8)  # about 20 s at the limit (~8 requests a user)
    with tempfile.TemporaryDirectory() as workdir:
        server = harness.ArrivalServer(
            Path(workdir), history_months=HISTORY_MONTHS, today=TODAY.isoformat()
        )
        with server:
            elapsed, progress, _ = run_once(
                harness,
                processes=2,
                users=limited_users,
                chunk=args.chunk,
                base_url=server.base_url,
                secret=server.secret,
                redis_url=redis_url,
                admin_url=admin_url,
                extra={"PAYROLL_RATE_LIMIT": str(args.rate)},
            )
    arrivals = sorted(server.arrivals)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    average = (len(arrivals) - 1) / span if span else 0.0
    busiest = _busiest_second(arrivals)
    print(
        f"[T9] limit {args.rate}/s, 2 processes: {len(arrivals)} requests, average "
        f"{average:.1f} req/s, busiest second {busiest}",
        flush=True,
    )
    load_after = os.getloadavg()
    if args.limit_only:
        return 0

    def median_rate(n: int) -> tuple[float, float, float, float]:
        rates = [args.users / e for e, _, _ in rows[n]]
        reqs = [r / e for e, r, _ in rows[n]]
        cores = [c for _, _, c in rows[n]]
        return statistics.median(rates), min(rates), statistics.median(reqs), max(cores)

    one, one_min, one_req, one_cores = median_rate(1)
    two, two_min, two_req, two_cores = median_rate(2)
    ncpu = os.cpu_count() or 1
    command = (
        f"python bench/celery_scale.py --users {args.users} --chunk {args.chunk} "
        f"--repeats {args.repeats} --rate {args.rate}"
    )
    section = f"""{START}
## T9. Celery workers: 1 vs 2 worker processes, and the global rate limit

`{command}`
({time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; load average 1/5 min at start
{load_before[0]:.2f} / {load_before[1]:.2f}, at end {load_after[0]:.2f} / {load_after[1]:.2f}).
One `celery worker --concurrency N` (prefork), PostgreSQL store (a fresh database per run),
Redis broker, the sandbox at zero latency (history_months={HISTORY_MONTHS}) in its own process,
all on this 2-core machine. Wall time from `sync_users` until no user is pending; users are
synced into the store (requests + database writes), not only fetched.

| worker processes | users/s, median (min) | requests/s | machine cores busy (max) | runs |
|---|---|---|---|---|
| 1 | {one:.1f} ({one_min:.1f}) | {one_req:.0f} | {one_cores:.2f} of {ncpu} | {len(rows[1])} |
| 2 | {two:.1f} ({two_min:.1f}) | {two_req:.0f} | {two_cores:.2f} of {ncpu} | {len(rows[2])} |

- **2 vs 1 process: {two / one:.2f}x** (target >= 1.6x when the client is CPU-bound).
  "Machine cores busy" is the whole machine's CPU (``/proc/stat``) during the run: workers,
  sandbox, PostgreSQL and Redis together. Each user costs the same CPU in all of them
  whatever the number of workers, so with {one_cores:.2f} of {ncpu} cores busy at one worker
  the machine can give at most {ncpu / one_cores if one_cores else 0:.2f}x the one-worker
  rate. 1.6x needs the sandbox and the
  database off the workers' cores (other machines, as in production).
- **Global limit {args.rate} req/s, 2 processes**: {len(arrivals)} requests, average
  {average:.1f} req/s over the run ({average / args.rate:.2f} of the limit), busiest one-second
  window at the server {busiest} requests ({busiest / args.rate:.2f} of the limit; bound 1.10).
{END}"""
    text = args.output.read_text() if args.output.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    args.output.write_text(text)
    print(f"[T9] written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
