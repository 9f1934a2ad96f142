"""``_run._Slot``: a user's place among those read from the API at once, lent while it waits."""

from __future__ import annotations

import asyncio

import pytest

from payroll_sdk.store._run import _Slot


async def test_a_lent_place_is_taken_back_and_given_up_once() -> None:
    places = asyncio.Semaphore(1)
    async with _Slot(places) as slot:
        assert places.locked()
        async with slot.lent():
            assert not places.locked()  # another user may read meanwhile
        assert places.locked()
    assert not places.locked()
    assert places._value == 1  # released exactly once


async def test_a_block_that_raises_while_the_place_is_lent_does_not_wait_for_one() -> None:
    places = asyncio.Semaphore(1)
    with pytest.raises(RuntimeError):
        async with _Slot(places) as slot, slot.lent():
            await places.acquire()  # someone else takes the place meanwhile
            raise RuntimeError("the read failed")
    assert places.locked() and places._value == 0  # the other user's, not released twice
    places.release()
    assert places._value == 1


async def test_cancelled_while_waiting_to_take_the_place_back_releases_nothing() -> None:
    places = asyncio.Semaphore(1)
    entered = asyncio.Event()

    async def user() -> None:
        async with _Slot(places) as slot, slot.lent():
            await places.acquire()  # the place is taken by another user meanwhile
            entered.set()
        # never reached: waiting for the place, then cancelled

    task = asyncio.create_task(user())
    await entered.wait()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert places._value == 0  # the other user still holds it; nothing was over-released
    places.release()
    assert places._value == 1


async def test_no_semaphore_means_no_limit() -> None:
    async with _Slot(None) as slot, slot.lent():
        pass
