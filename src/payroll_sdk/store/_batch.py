"""SQLite's account writes, several per transaction when they queue up.

SQLite has one writer at a time, so the store's writers take turns on a lock. Each write is a
handful of calls to aiosqlite's thread (one per statement, the commit, the cursors), and every
call waits for the event loop to come round again, behind the JSON parsing of 50 users'
fetches: measured on issue 12's benchmark (T8), the lock was held 97% of a first sync's wall
time, about 12 ms per account for 1.4 ms of SQLite's own work, and users waited their turn
holding their concurrency slot. Writes that queue up while another is in progress are
therefore taken together, in one transaction, when the lock comes free: the waits are paid
once per batch instead of once per account.

Each account of a batch is written whole (its rows are one plan), and a batch commits or rolls
back as a unit, so an interrupted sync still leaves every account either as it was or as this
sync read it. If a batch fails, its accounts are written again one by one, so an account that
cannot be written fails alone, as it would have without batching.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from ._write import AccountPlan, apply_plan

__all__ = ["WriteBatcher"]

#: ``run(work)``: ``work(connection)`` in one write transaction (``ProfileStore._db``).
Run = Callable[[Callable[[AsyncConnection], Awaitable[None]]], Awaitable[None]]


class WriteBatcher:
    """Queues account plans; one drain task writes what queued up, a batch per transaction."""

    def __init__(self, run: Run, keep: Callable[[Awaitable[None]], None]) -> None:
        self._run = run
        self._keep = keep  # runs the drain to its end even if every waiter was cancelled
        self._queue: list[tuple[AccountPlan, asyncio.Future[None]]] = []
        self._draining = False

    def write(self, plan: AccountPlan) -> asyncio.Future[None]:
        """A future done when ``plan`` is committed (or failed with the error)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((plan, done))
        if not self._draining:
            self._draining = True
            self._keep(self._drain())
        return done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                await self._write_batch(batch)
        finally:
            self._draining = False

    async def _write_batch(self, batch: list[tuple[AccountPlan, asyncio.Future[None]]]) -> None:
        async def write_all(connection: AsyncConnection) -> None:
            for plan, _ in batch:
                await apply_plan(connection, plan)

        try:
            await self._run(write_all)
        except BaseException as exc:
            if len(batch) == 1 or not isinstance(exc, Exception):
                for _, done in batch:
                    _settle(done, exc)
                if not isinstance(exc, Exception):
                    raise
                return
            for one in batch:  # isolate the account that cannot be written
                await self._write_batch([one])
            return
        for _, done in batch:
            _settle(done, None)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(None)
    elif isinstance(error, Exception):
        done.set_exception(error)
    else:  # the drain itself was cancelled (the loop is closing)
        done.cancel()
