"""Writes that queue up are written together; a failing one fails alone; results come back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from payroll_sdk.store import StoreError
from payroll_sdk.store._batch import WriteBatcher


class _Db:
    """A fake ``run``: one "transaction" per call, kept only if all of its work finishes."""

    def __init__(self, bad: set[int] | None = None) -> None:
        self.bad = bad or set()
        self.transactions: list[list[int]] = []
        self.committed: list[int] = []
        self.actions: list[str] = []
        self.open = self.most_open = 0

    async def run(self, work: Callable[[Any], list[Any]], action: str) -> list[Any]:
        written: list[int] = []
        self.actions.append(action)
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            await asyncio.sleep(0)
            results = work(written)
            await asyncio.sleep(0)
        finally:
            self.open -= 1
        self.transactions.append(written)
        self.committed += written  # only reached when every write of the batch went through
        return results

    def work(self, number: int) -> Callable[[Any], str]:
        def write(written: list[int]) -> str:
            if number in self.bad:
                raise StoreError(f"cannot write {number}")
            written.append(number)
            return f"result {number}"

        return write


def _batcher(db: _Db, background: list[asyncio.Task[None]], parallel: int = 1) -> WriteBatcher:
    def keep(work: Awaitable[None]) -> None:
        background.append(asyncio.ensure_future(work))

    return WriteBatcher(db.run, keep, parallel=parallel)


async def test_writes_that_queue_up_share_a_transaction_and_get_their_results() -> None:
    db, background = _Db(), []
    batcher = _batcher(db, background)
    first = batcher.write(db.work(1), "write 1")
    await asyncio.sleep(0)  # the first batch starts with only the first write
    rest = [batcher.write(db.work(n), f"write {n}") for n in (2, 3, 4)]
    results = await asyncio.gather(first, *rest)
    assert results == ["result 1", "result 2", "result 3", "result 4"]
    assert db.transactions == [[1], [2, 3, 4]]
    assert db.actions == ["write 1", "write (3 changes)"]
    await asyncio.gather(*background)
    assert await batcher.write(db.work(5), "write 5") == "result 5"  # a new drain
    assert db.transactions[-1] == [5]


async def test_a_write_that_cannot_be_done_fails_alone() -> None:
    db, background = _Db(bad={3}), []
    batcher = _batcher(db, background)
    done = [batcher.write(db.work(n), f"write {n}") for n in (1, 2, 3, 4)]
    outcomes = await asyncio.gather(*done, return_exceptions=True)
    assert outcomes[:2] == ["result 1", "result 2"] and outcomes[3] == "result 4"
    assert isinstance(outcomes[2], StoreError)
    assert sorted(db.committed) == [1, 2, 4]  # the failed batch rolled back, then one by one
    assert db.transactions == [[1], [2], [4]]
    assert db.actions[-3:] == ["write 2", "write 3", "write 4"]  # each alone, its own name
    await asyncio.gather(*background)


async def test_parallel_drains_write_side_by_side_and_one_drain_does_not() -> None:
    for parallel, most_open in ((1, 1), (2, 2)):
        db, background = _Db(), []
        batcher = _batcher(db, background, parallel=parallel)
        first = batcher.write(db.work(1), "write 1")
        await asyncio.sleep(0)  # the first drain is in its transaction
        rest = [batcher.write(db.work(n), f"write {n}") for n in (2, 3, 4)]
        await asyncio.gather(first, *rest)
        await asyncio.gather(*background)
        assert db.transactions == [[1], [2, 3, 4]]
        assert db.most_open == most_open
