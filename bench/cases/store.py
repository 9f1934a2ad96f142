"""Target 8: the profile store. 1,000 users synced into SQLite and into PostgreSQL at 50 ms per
request: the database's share of the wall time, and a second (incremental) pass against the
first.

Per backend and kind of store (``process``: ``database_process=True``, the configuration for
batch syncs, on which T8 is judged; ``threads``: the default, reported beside it): the same
users fetched without a store (``get_profiles``, the floor), then rounds of ``sync_many`` on a
fresh database (a first pass) followed by the fetch without a store again, and at the end
``sync_many`` again on the last database (the incremental pass). The judged kind has
``PAYROLL_BENCH_STORE_ROUNDS`` rounds (3), and its median round by added share is judged; the
default kind has one. "Database time" is measured two ways, both reported; the
T8 check is the added wall (busy is an INFO row: with 50 users in flight some database call is
running nearly all the time, so it says little about what the store costs):

- **busy**: the wall time during which at least one database call of the store was in progress
  (``ProfileStore.db_busy_seconds``: a union of intervals, so concurrent calls count once). An
  upper bound: a call's interval also holds whatever else the event loop ran meanwhile.
- **added wall**: how much longer the first pass took than fetching the same data without a
  store (the mean of the fetch just before it and the one just after it: the same fetch
  varies by a few percent from pass to pass on a shared machine, and more at times).
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
#: First passes per judged kind (``database_process=True``), each on a fresh database between
#: two fetch-only passes; the median round is judged.
ROUNDS = int(os.environ.get("PAYROLL_BENCH_STORE_ROUNDS", "3"))
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


@dataclass
class Round:
    before: float  # fetch only, just before the first pass
    first: Pass
    after: float  # fetch only, just after it

    @property
    def floor(self) -> float:
        return (self.before + self.after) / 2

    @property
    def added_share(self) -> float:
        return max(0.0, self.first.wall - self.floor) / self.first.wall


@dataclass
class Measured:
    rounds: list[Round]
    second: Pass  # the incremental pass, on the last round's database

    @property
    def last_first(self) -> Pass:
        return self.rounds[-1].first


async def _measure(
    name: str,
    backend: str,
    kind: str,
    scratch: Path,
    sandbox: h.BenchSandbox,
    client: Any,
    users: list[str],
    *,
    rounds: int,
) -> Measured | None:
    """``rounds`` first passes, each on a fresh database, with a fetch-only pass before the
    first and after each (the floor of a round is the mean of the two around it), then the
    incremental pass on the last database. ``None`` without a PostgreSQL server."""
    done: list[Round] = []
    before = await _fetch_only(sandbox, client, users)
    print(f"  {name}: fetch only {before:.1f} s", flush=True)
    for number in range(1, rounds + 1):
        drop: Any = None
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{scratch / f'bench-{kind}-{number}.db'}"
        else:
            postgres = await _postgres_database()
            if postgres is None:
                return None
            url, drop = postgres
        try:
            async with ProfileStore(url, database_process=kind == "process") as store:
                first = await _sync_pass(sandbox, store, client, users)
                print(f"  {name}: round {number}, first pass {first.wall:.1f} s", flush=True)
                after = await _fetch_only(sandbox, client, users)
                print(f"  {name}: fetch only {after:.1f} s", flush=True)
                done.append(Round(before, first, after))
                before = after
                if number == rounds:
                    second = await _sync_pass(sandbox, store, client, users)
                    print(f"  {name}: incremental pass {second.wall:.1f} s", flush=True)
        finally:
            if drop is not None:
                await drop()
    return Measured(done, second)


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
            client = h.sdk_client(sandbox.base_url, max_in_flight=CONCURRENCY * 4)
            async with client:
                await _fetch_only(sandbox, client, users[:20])  # warm: connections open
                measured = await _measure(
                    name,
                    backend,
                    kind,
                    Path(scratch),
                    sandbox,
                    client,
                    users,
                    rounds=ROUNDS if in_process else 1,
                )
            if measured is None:
                result.notes.append(f"PostgreSQL: no server at {make_url(POSTGRES_URL)}.")
                continue
            # The judged round is the median one by added share (all are in the table).
            shares = sorted(measured.rounds, key=lambda r: r.added_share)
            judged = shares[len(shares) // 2]
            first, second, fetch_wall = judged.first, measured.second, judged.floor
            before, after = judged.before, judged.after
            busy_share = first.busy / first.wall
            added_share = judged.added_share
            speed_up = measured.last_first.wall / second.wall
            for number, one in enumerate(measured.rounds, 1):
                rows.append(
                    [
                        name,
                        f"round {number}: fetch only, first pass, fetch only",
                        f"{one.before:.1f}, {one.first.wall:.1f}, {one.after:.1f} "
                        f"(added share {one.added_share:.2f})",
                        *["-"] * 6,
                    ]
                )
            judged_label = f"first (round {measured.rounds.index(judged) + 1})"
            for label, figures in ((judged_label, first), ("incremental", second)):
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
                    f"T8 {name}: wall added by the store / wall, first pass"
                    + (
                        f" (median of {len(measured.rounds)} rounds)"
                        if len(measured.rounds) > 1
                        else ""
                    ),
                    f"{first.wall - fetch_wall:+.1f} s on {fetch_wall:.1f} s "
                    f"({before:.1f} s before, {after:.1f} s after)",
                    added_share,
                    "≤ 0.20" if target else "documented (default kind)",
                    added_share <= 0.20 if target else None,
                ),
                Check(
                    f"T8 {name}: incremental pass speed-up",
                    f"{measured.last_first.wall:.1f} → {second.wall:.1f} s",
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
        f"`sync_many(concurrency={CONCURRENCY})`, a fresh database for every first pass; kinds of "
        "store: `process` is `ProfileStore(url, database_process=True)` (the database work in "
        "a child process, the configuration docs/store.md gives for batch syncs; T8 is judged "
        "on it), `threads` the default (SQLite's worker threads, asyncpg on the event loop); "
        f"each first pass on a fresh database between two fetch-only passes (its floor is "
        f"their mean: the same fetch varies by a few percent from pass to pass on this shared "
        f"machine, and more at times); {ROUNDS} rounds of it for the judged kind, whose median "
        "round by added share is judged (every round is in the table), one for the default. "
        "The incremental pass runs on the last round's database. DB busy: wall "
        "time with at least one database call in progress (an upper bound, see the case's "
        "docstring); Σ per-sync DB s adds every sync's own database waits, so overlapping "
        "calls count several times."
    )
    return result
