"""The store's writes, several per transaction when they queue up.

Every write of a sync (its run row, each account, the run's end) is a short piece of work in
a transaction of its own, and a transaction is not free: a connection checked out and back
in, ``BEGIN`` and ``COMMIT``, each a round trip to the driver that waits for the event loop
to come round behind the JSON parsing of 50 users' fetches. Measured on issue 12's benchmark
(T8, 200 users): about 20 round trips per user, most of them transaction overhead, and the
store's CPU (not the database's) was what it added to the wall time. On SQLite, which has one
writer at a time, writers also queued on the write lock: it was held 97% of a first sync.

So writes that queue up while a transaction is in progress are taken together, in one
transaction, when it ends: the overhead is paid once per batch instead of once per write.

Each piece of work is written whole (an account's rows are one plan), and a batch commits or
rolls back as a unit, so an interrupted sync still leaves every account either as it was or as
this sync read it. If a batch fails, its pieces are written again one by one, so a write that
cannot be done fails alone, as it would have without batching (and a deadlock between two
processes' batches on PostgreSQL resolves the same way).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

__all__ = ["WriteBatcher"]

_T = TypeVar("_T")

#: One piece of write work: what it does in the caller's transaction, and its result.
Work = Callable[[Connection], _T]
#: ``run(work, action)``: ``work(connection)`` in one write transaction (``ProfileStore``),
#: returning what ``work`` returned.
Run = Callable[[Callable[[Connection], list[Any]], str], Awaitable[list[Any]]]


@dataclass(slots=True)
class _Queued(Generic[_T]):
    work: Work[_T]
    action: str
    done: asyncio.Future[_T]


class WriteBatcher:
    """Queues write work; one drain task writes what queued up, a batch per transaction."""

    def __init__(
        self, run: Run, keep: Callable[[Awaitable[None]], None], *, parallel: int = 1
    ) -> None:
        self._run = run
        self._keep = keep  # runs a drain to its end even if every waiter was cancelled
        self._parallel = parallel
        self._queue: list[_Queued[Any]] = []
        self._draining = 0

    def write(self, work: Work[_T], action: str) -> asyncio.Future[_T]:
        """A future with ``work``'s result once its transaction is committed (or its error).

        ``action`` names the work in the error if it fails alone."""
        done: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Queued(work, action, done))
        if self._draining < self._parallel:
            self._draining += 1
            self._keep(self._drain())
        return done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                await self._write_batch(batch)
        finally:
            self._draining -= 1

    async def _write_batch(self, batch: list[_Queued[Any]]) -> None:
        # A module-level function and the works: the database may run it in another process.
        write_all = partial(_write_all, works=[queued.work for queued in batch])
        action = batch[0].action if len(batch) == 1 else f"write ({len(batch)} changes)"
        try:
            results = await self._run(write_all, action)
        except BaseException as exc:
            if len(batch) == 1 or not isinstance(exc, Exception):
                for queued in batch:
                    _settle(queued.done, None, exc)
                if not isinstance(exc, Exception):
                    raise
                return
            for one in batch:  # isolate the work that cannot be written
                await self._write_batch([one])
            return
        for queued, result in zip(batch, results, strict=True):
            _settle(queued.done, result, None)


def _write_all(connection: Connection, works: list[Work[Any]]) -> list[Any]:
    return [work(connection) for work in works]


def _settle(done: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(result)
    elif isinstance(error, Exception):
        done.set_exception(error)
    else:  # the drain itself was cancelled (the loop is closing)
        done.cancel()
