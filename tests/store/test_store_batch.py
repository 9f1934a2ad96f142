"""SQLite's account writes that queue up are written together; a failing one fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from payroll_sdk.store import StoreError, _batch
from payroll_sdk.store._batch import WriteBatcher
from payroll_sdk.store._write import AccountPlan


class _Db:
    """A fake ``run``: one "transaction" per call, kept only if the work finishes."""

    def __init__(self, bad: set[int]) -> None:
        self.bad = bad
        self.transactions: list[list[int]] = []
        self.committed: list[int] = []

    async def run(self, work: Callable[[Any], Awaitable[None]]) -> None:
        written: list[int] = []
        await asyncio.sleep(0)
        await work(written)
        self.transactions.append(written)
        self.committed += written  # only reached when every write of the batch went through


async def _apply(written: list[int], plan: AccountPlan) -> None:
    number = plan.counts.added
    if number in _DB.bad:
        raise StoreError(f"cannot write {number}")
    written.append(number)


_DB = _Db(set())


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch) -> _Db:
    monkeypatch.setattr(_batch, "apply_plan", _apply)
    _DB.bad, _DB.transactions, _DB.committed = set(), [], []
    return _DB


def _plan(number: int) -> AccountPlan:
    plan = AccountPlan()
    plan.counts.added = number
    return plan


async def test_writes_that_queue_up_share_a_transaction(db: _Db) -> None:
    background: list[asyncio.Task[None]] = []
    batcher = WriteBatcher(db.run, lambda w: background.append(asyncio.ensure_future(w)))
    first = batcher.write(_plan(1))
    await asyncio.sleep(0)  # the first batch starts with only the first plan
    rest = [batcher.write(_plan(n)) for n in (2, 3, 4)]
    await asyncio.gather(first, *rest)
    assert db.transactions == [[1], [2, 3, 4]]
    await asyncio.gather(*background)
    later = batcher.write(_plan(5))  # a new drain once the queue ran dry
    await later
    assert db.transactions[-1] == [5]


async def test_an_account_that_cannot_be_written_fails_alone(db: _Db) -> None:
    db.bad = {3}
    background: list[asyncio.Task[None]] = []
    batcher = WriteBatcher(db.run, lambda w: background.append(asyncio.ensure_future(w)))
    done = [batcher.write(_plan(n)) for n in (1, 2, 3, 4)]
    outcomes = await asyncio.gather(*done, return_exceptions=True)
    assert [type(o) for o in outcomes] == [type(None), type(None), StoreError, type(None)]
    assert sorted(db.committed) == [1, 2, 4]  # the failed batch rolled back, then one by one
    assert db.transactions == [[1], [2], [4]]
    await asyncio.gather(*background)
