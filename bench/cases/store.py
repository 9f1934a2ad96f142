"""Target 8: the profile store. 1,000 users synced into SQLite and into PostgreSQL at 50 ms per
request: the database's share of the wall time, and a second (incremental) pass against the
first.

Per backend and kind of store (``process``: ``database_process=True``, the configuration for
batch syncs, on which T8 is judged; ``threads``: the default, reported beside it), on a fresh
database: the same users fetched without a store (``get_profiles``, the floor), then
``sync_many`` twice. "Database time" is measured two ways, both reported; the
T8 check is the added wall (busy is an INFO row: with 50 users in flight some database call is
running nearly all the time, so it says little about what the store costs):

- **busy**: the wall time during which at least one database call of the store was in progress
  (``ProfileStore.db_busy_seconds``: a union of intervals, so concurrent calls count once). An
  upper bound: a call's interval also holds whatever else the event loop ran meanwhile.
- **added wall**: how much longer the first pass took than fetching the same data without a
  store.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _harness as h
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from cases._result import CaseResult, Check, table
from payroll_sdk.store import ProfileStore

LATENCY_MS = 50.0
HISTORY_MONTHS = 24
CONCURRENCY = 50  # users in flight
POSTGRES_URL = os.environ.get(
    "PAYROLL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Pass:
    wall: float
    busy: float
    db_sum: float
    requests: int
    added: int
    failed: int
    client_cpu: float


async def _sync_pass(
    sandbox: h.BenchSandbox, store: ProfileStore, client: Any, users: list[str]
) -> Pass:
    busy0 = store.db_busy_seconds
    requests = added = failed = 0
    db_sum = 0.0
    with h.measure(sandbox) as usage:
        async for result in store.sync_many(client, users, concurrency=CONCURRENCY):
            requests += result.requests
            added += result.added
            failed += result.status == "failed"
            db_sum += result.db_seconds
    return Pass(
        usage.wall, store.db_busy_seconds - busy0, db_sum, requests, added, failed, usage.client_cpu
    )


async def _fetch_only(sandbox: h.BenchSandbox, client: Any, users: list[str]) -> float:
    started = time.perf_counter()
    async for _ in client.get_profiles(users, concurrency=CONCURRENCY):
        pass
    return time.perf_counter() - started


async def _postgres_database() -> tuple[str, Any] | None:
    admin_url = make_url(POSTGRES_URL)
    name = f"payroll_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        await admin.dispose()
        return None

    async def drop() -> None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult(
        f"8. The profile store ({LATENCY_MS:.0f} ms per request, {CONCURRENCY} users at once)"
    )
    count = int(os.environ.get("PAYROLL_BENCH_STORE_USERS", 200 if settings.quick else 1000))
    users = [f"store_bench_{n}" for n in range(count)]
    rows = []
    with (
        h.BenchSandbox(
            latency_ms=LATENCY_MS, history_months=HISTORY_MONTHS, warm_users=users
        ) as sandbox,
        tempfile.TemporaryDirectory() as scratch,
    ):
        chosen = os.environ.get("PAYROLL_BENCH_STORE_BACKENDS", "sqlite,postgresql").split(",")
        kinds = os.environ.get("PAYROLL_BENCH_STORE_KINDS", "process,threads").split(",")
        runs: list[tuple[str, str, bool]] = [
            (backend, kind, kind == "process")
            for backend in ("sqlite", "postgresql")
            if backend in chosen
            for kind in kinds
        ]
        for backend, kind, in_process in runs:
            name = f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'} ({kind})"
            drop: Any = None
            if backend == "sqlite":
                url: str | None = f"sqlite+aiosqlite:///{Path(scratch) / f'bench-{kind}.db'}"
            else:
                postgres = await _postgres_database()
                if postgres is None:
                    result.notes.append(f"PostgreSQL: no server at {make_url(POSTGRES_URL)}.")
                    continue
                url, drop = postgres
            assert url is not None
            try:
                client = h.sdk_client(sandbox.base_url, max_in_flight=CONCURRENCY * 4)
                async with client, ProfileStore(url, database_process=in_process) as store:
                    await _fetch_only(sandbox, client, users[:20])  # warm: connections open
                    fetch_wall = await _fetch_only(sandbox, client, users)
                    print(f"  {name}: fetch only {fetch_wall:.1f} s", flush=True)
                    first = await _sync_pass(sandbox, store, client, users)
                    print(f"  {name}: first pass {first.wall:.1f} s", flush=True)
                    second = await _sync_pass(sandbox, store, client, users)
                    print(f"  {name}: incremental pass {second.wall:.1f} s", flush=True)
            finally:
                if drop is not None:
                    await drop()
            busy_share = first.busy / first.wall
            added_share = max(0.0, first.wall - fetch_wall) / first.wall
            speed_up = first.wall / second.wall
            for label, figures in (("first", first), ("incremental", second)):
                rows.append(
                    [
                        name,
                        label,
                        f"{figures.wall:.1f}",
                        f"{figures.busy:.1f} ({figures.busy / figures.wall:.0%})",
                        f"{figures.db_sum:.1f}",
                        f"{figures.requests:,}",
                        f"{figures.added:,}",
                        f"{figures.client_cpu:.1f}",
                        str(figures.failed),
                    ]
                )
            rows.append([name, "fetch only (get_profiles)", f"{fetch_wall:.1f}", *["-"] * 6])
            # T8 is judged on the configuration documented for batch syncs
            # (database_process=True); the default (threads) is reported beside it.
            target = in_process
            result.checks += [
                # INFO only: with 50 users in flight some database call is nearly always
                # running, so this share stays near 100% whatever the store costs
                # (bench/RESULTS.md section 8); the wall the store adds is the T8 check.
                Check(
                    f"T8 {name}: database busy time / wall, first pass",
                    f"{first.busy:.1f} of {first.wall:.1f} s",
                    busy_share,
                    "documented (not a target)",
                    None,
                ),
                Check(
                    f"T8 {name}: wall added by the store / wall, first pass",
                    f"{first.wall - fetch_wall:+.1f} s on {fetch_wall:.1f} s",
                    added_share,
                    "≤ 0.20" if target else "documented (default kind)",
                    added_share <= 0.20 if target else None,
                ),
                Check(
                    f"T8 {name}: incremental pass speed-up",
                    f"{first.wall:.1f} → {second.wall:.1f} s",
                    speed_up,
                    "≥ 3x" if target else "documented (default kind)",
                    speed_up >= 3 if target else None,
                ),
            ]
    result.tables.append(
        table(
            [
                "backend",
                "pass",
                "wall s",
                "DB busy s (share)",
                "Σ per-sync DB s",
                "requests",
                "records added",
                "client CPU s",
                "failed users",
            ],
            rows,
        )
    )
    result.notes.append(
        f"{count:,} users (`store_bench_N`, 0-3 accounts each, {HISTORY_MONTHS} months of "
        f"history), sandbox in its own process with {LATENCY_MS:.0f} ms per request, "
        f"`sync_many(concurrency={CONCURRENCY})`, one fresh database per backend and kind of "
        "store: `process` is `ProfileStore(url, database_process=True)` (the database work in "
        "a child process, the configuration docs/store.md gives for batch syncs; T8 is judged "
        "on it), `threads` the default (SQLite's worker threads, asyncpg on the event loop); "
        "each kind's fetch-only floor is measured just before its first pass. DB busy: wall "
        "time with at least one database call in progress (an upper bound, see the case's "
        "docstring); Σ per-sync DB s adds every sync's own database waits, so overlapping "
        "calls count several times."
    )
    return result
