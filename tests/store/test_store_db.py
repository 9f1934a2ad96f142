"""How the store's transactions run (``_db.Database``): whole, on SQLite's worker threads or on
the loop for PostgreSQL; rolled back whole on failure; any SQLite URL spelling, ``:memory:``."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, event, func, select

from payroll_sdk import PayrollClient
from payroll_sdk.sandbox import SandboxServer
from payroll_sdk.store import ProfileStore, StoreError
from payroll_sdk.store._db import _EngineDatabase
from payroll_sdk.store._schema import ACCOUNTS

from .conftest import make_client
from .helpers import insert_account

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def _count_accounts(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(ACCOUNTS)).scalar_one())


async def test_a_sqlite_transaction_runs_whole_on_a_store_thread_while_the_loop_runs(
    tmp_path: Path,
) -> None:
    async with ProfileStore(f"sqlite+aiosqlite:///{tmp_path / 's.db'}") as store:
        database = store._database
        assert database is not None
        seen: list[tuple[str, int]] = []

        def slow(connection: Connection) -> None:
            insert_account(connection, "a1", NOW)
            time.sleep(0.3)  # the loop must not wait for this
            insert_account(connection, "a2", NOW)
            seen.append((threading.current_thread().name, id(connection)))

        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        try:
            await database.run(slow)
        finally:
            ticker.cancel()
        assert ticks >= 10  # the loop kept running during the 0.3 s transaction
        ((thread, _),) = seen
        assert thread.startswith("payroll-store") and thread != threading.main_thread().name
        assert await database.run(_count_accounts) == 2


async def test_a_failing_transaction_leaves_nothing_behind(local_store: ProfileStore) -> None:
    database = local_store._database
    assert database is not None

    def half_done(connection: Connection) -> None:
        insert_account(connection, "written_then_rolled_back", NOW)
        raise StoreError("the second statement failed")

    with pytest.raises(StoreError):
        await database.run(half_done)
    assert await database.run(_count_accounts) == 0


@pytest.mark.parametrize("driver", ["sqlite", "sqlite+pysqlite", "sqlite+aiosqlite"])
async def test_every_sqlite_url_spelling_opens_the_same_store(
    tmp_path: Path, driver: str, client: PayrollClient
) -> None:
    path = tmp_path / "spelled.db"
    async with ProfileStore(f"sqlite+aiosqlite:///{path}") as first:
        await first.sync(client, "user_single")
    async with ProfileStore(f"{driver}:///{path}") as again:
        profile = await again.load_profile("user_single")
        assert profile is not None and profile.accounts


async def test_an_in_memory_store_is_one_database_for_all_its_transactions(
    client: PayrollClient,
) -> None:
    # Each sqlite3 connection to :memory: is a database of its own: the store keeps one.
    async with ProfileStore("sqlite+aiosqlite:///:memory:") as store:
        database = store._database
        assert database is not None

        def slow_count(connection: Connection) -> int:
            time.sleep(0.05)  # so that the transactions overlap, on several threads
            return _count_accounts(connection)

        # The tables the migrations made on open are there, for transactions side by side.
        assert await asyncio.gather(*(database.run(slow_count) for _ in range(6))) == [0] * 6
        result = await store.sync(client, "user_single")
        assert result.added > 0
        profile = await store.load_profile("user_single")
        assert profile is not None and profile.accounts


async def test_a_transaction_after_the_store_closed_is_a_store_error(tmp_path: Path) -> None:
    store = ProfileStore(f"sqlite+aiosqlite:///{tmp_path / 'closed.db'}")
    await store.open()
    database = store._database
    assert database is not None
    await store.aclose()
    with pytest.raises(StoreError, match="closed"):
        await database.run(_count_accounts)
    with pytest.raises(StoreError, match="not open"):
        await store.runs()


async def test_postgresql_keeps_its_connections_through_a_busy_sync_many(
    postgres_url: str, sandbox: SandboxServer
) -> None:
    # SQLAlchemy's default pool (5 kept + 10 overflow) closed an overflow connection each
    # time a transaction beyond the fifth ended: a new server process per burst. The store's
    # pool keeps as many as it may open (15), so a busy sync connects at most 15 times.
    async with ProfileStore(postgres_url) as store, make_client(sandbox) as client:
        database = store._database
        assert isinstance(database, _EngineDatabase)
        connects: list[object] = []
        event.listen(database.sync_engine, "connect", lambda *_: connects.append(1))
        users = [f"user_pool_{n}" for n in range(60)]
        results = [r async for r in store.sync_many(client, users, concurrency=30)]
        assert {r.status for r in results} == {"complete"}
        assert database.sync_engine.pool.size() == 15
        assert 5 < len(connects) <= 15  # more than the default's 5 were needed, none twice


async def test_a_postgresql_pool_sized_in_engine_options_is_kept(postgres_url: str) -> None:
    async with ProfileStore(postgres_url, engine_options={"pool_size": 3}) as store:
        database = store._database
        assert isinstance(database, _EngineDatabase)
        assert database.sync_engine.pool.size() == 3
        assert database.sync_engine.pool._max_overflow == 10  # SQLAlchemy's own default
