"""``ProfileStore(database_process=True)``: the database work in a child process.

The store's behaviour through the child (sync, incremental, cancellation, batches) is covered
by the sync tests, which run on both kinds of store (the ``store`` fixture). Here: that the
work really runs in the child, what crosses back when it fails, and that the child never
outlives its store nor hangs it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Connection

from payroll_sdk import ConfigurationError, PayrollClient
from payroll_sdk.store import ProfileStore, StoreError
from payroll_sdk.store._process import ProcessDatabase


@pytest.fixture(autouse=True)
def _importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    # The work below is this module's functions: the child must import this module under
    # the name pytest gave it (``store.test_store_process``, from ``tests/``).
    inherited = os.environ.get("PYTHONPATH")
    root = str(Path(__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, inherited])))


@pytest.fixture
async def process_store(store_url: str) -> AsyncIterator[ProfileStore]:
    async with ProfileStore(store_url, database_process=True) as opened:
        yield opened


def _child_of(store: ProfileStore) -> ProcessDatabase:
    database = store._database
    assert isinstance(database, ProcessDatabase) and database.pid is not None
    return database


# Work sent to the child: module-level, so it pickles by reference.
def _where(connection: Connection) -> tuple[int, str]:
    return os.getpid(), connection.dialect.name


def _sleep(connection: Connection, seconds: float) -> None:
    time.sleep(seconds)


def _gone(pid: int) -> bool:
    """The process has exited (reaped, or a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _wait_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


async def test_the_work_runs_in_the_child_which_stops_with_the_store(
    process_store: ProfileStore, store_url: str
) -> None:
    database = _child_of(process_store)
    child = database.pid
    assert child is not None
    pid, dialect = await process_store._db(_where, action="look")
    assert pid == child != os.getpid()
    assert dialect == ("sqlite" if store_url.startswith("sqlite") else "postgresql")
    # A session of its own: a terminal's Ctrl-C reaches this process, not the child, whose
    # transaction in progress is finished when the store closes.
    assert os.getsid(child) != os.getsid(0)
    await process_store.aclose()
    assert _gone(child)


async def test_a_database_error_in_the_child_is_a_store_error_naming_the_statement(
    process_store: ProfileStore,
) -> None:
    work = partial(Connection.exec_driver_sql, statement="SELECT missing FROM no_such_table")
    with pytest.raises(StoreError) as caught:
        await process_store._db(work, action="read something")
    message = str(caught.value)
    assert message.startswith("Cannot read something: ")
    assert "no_such_table" in message and "Error" in message
    assert caught.value.__cause__ is None
    assert (await process_store._db(_where, action="look"))[0] == _child_of(process_store).pid


async def test_work_or_results_that_cannot_cross_are_store_errors(
    process_store: ProfileStore,
) -> None:
    with pytest.raises(StoreError, match="Cannot send work"):
        await process_store._db(lambda connection: 1, action="run a closure")
    # A result that does not pickle (a live cursor): refused there, reported here.
    cursor = partial(Connection.exec_driver_sql, statement="SELECT 1")
    with pytest.raises(StoreError, match="database process"):
        await process_store._db(cursor, action="return a cursor")
    runs = await process_store.runs()  # the child is still serving
    assert runs == []


async def test_a_killed_child_fails_what_waits_and_what_comes_without_hanging(
    process_store: ProfileStore,
) -> None:
    database = _child_of(process_store)
    assert database.pid is not None
    waiting = asyncio.ensure_future(
        process_store._db(partial(_sleep, seconds=30), action="wait a long time")
    )
    await asyncio.sleep(0.5)  # the work is running in the child
    os.kill(database.pid, signal.SIGKILL)
    with pytest.raises(StoreError, match="database process has stopped"):
        await asyncio.wait_for(waiting, 15)
    with pytest.raises(StoreError):
        await asyncio.wait_for(process_store.runs(), 15)
    await asyncio.wait_for(process_store.aclose(), 15)


async def test_engine_options_that_cannot_be_sent_are_refused(store_url: str) -> None:
    store = ProfileStore(store_url, database_process=True, engine_options={"creator": lambda: None})
    with pytest.raises(ConfigurationError, match="picklable"):
        await store.open()


async def test_a_database_that_cannot_be_reached_fails_to_open_and_leaves_no_child() -> None:
    before = _children()
    store = ProfileStore("postgresql+asyncpg://postgres@127.0.0.1:1/test", database_process=True)
    with pytest.raises(StoreError) as caught:
        await store.open()
    assert str(caught.value).startswith("Cannot open the store at ")
    assert store._database is None
    assert _children() <= before


def _children() -> set[int]:
    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[1] == me and stat[0] not in ("Z", "X"):
                found.add(int(entry.name))
    return found


@pytest.fixture
def killed_parent(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from payroll_sdk.store import ProfileStore

        async def main():
            store = ProfileStore("sqlite:///{tmp_path / "orphan.db"}", database_process=True)
            await store.open()
            print(store._database.pid, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)  # no close, no cleanup

        asyncio.run(main())
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    yield process
    process.kill()
    process.wait()
    assert process.stdout is not None
    process.stdout.close()


def test_the_child_exits_when_its_parent_is_killed(
    killed_parent: subprocess.Popen[str],
) -> None:
    assert killed_parent.stdout is not None
    child = int(killed_parent.stdout.readline())
    assert killed_parent.wait(30) == -signal.SIGKILL
    assert _wait_gone(child), "the database process outlived its killed parent"


async def test_sync_many_through_the_child_stores_every_user_once(
    process_store: ProfileStore, client: PayrollClient
) -> None:
    users = [f"store_process_{n}" for n in range(12)]
    first = [r async for r in process_store.sync_many(client, users, concurrency=4)]
    assert sorted(r.end_user_id for r in first) == sorted(users)
    assert all(r.status == "complete" for r in first)
    assert sum(r.added for r in first) > 0
    assert all(r.added > 0 for r in first if r.accounts)  # a user may have no accounts
    again = [r async for r in process_store.sync_many(client, users, concurrency=4)]
    assert all((r.status, r.added, r.updated) == ("complete", 0, 0) for r in again)
    assert await process_store.batch_progress("none") == {}
