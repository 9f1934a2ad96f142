"""stream_bounded: the one fan-out behind get_profiles and ProfileStore.sync_many."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest

from payroll_sdk import InvalidInputError
from payroll_sdk.aggregation._stream import check_concurrency, stream_bounded


async def test_every_id_once_never_more_than_concurrency_at_once() -> None:
    running = peak = 0
    progress: list[tuple[int, int | None]] = []

    async def one(end_user_id: str) -> str:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (hash(end_user_id) % 3))
        running -= 1
        return end_user_id.upper()

    ids = [f"u{i}" for i in range(25)]
    results = [
        r
        async for r in stream_bounded(
            ids, one, concurrency=4, on_progress=lambda d, t: progress.append((d, t))
        )
    ]
    assert sorted(results) == sorted(i.upper() for i in ids)
    assert peak == 4
    assert progress == [(n, 25) for n in range(1, 26)]


async def test_ids_are_read_lazily_and_total_is_unknown_for_a_generator() -> None:
    pulled = 0

    def ids() -> Iterator[str]:
        nonlocal pulled
        for i in range(10):
            pulled += 1
            yield f"u{i}"

    async def one(end_user_id: str) -> str:
        return end_user_id

    totals: list[int | None] = []
    stream = stream_bounded(ids(), one, concurrency=2, on_progress=lambda d, t: totals.append(t))
    async with contextlib.aclosing(stream) as results:
        first = await anext(results)
    assert first in {"u0", "u1"}
    assert pulled <= 3  # two started, at most one refill: not the whole generator
    assert totals == [None]


async def test_leaving_early_cancels_what_is_in_progress() -> None:
    cancelled = 0

    async def one(end_user_id: str) -> str:
        nonlocal cancelled
        if end_user_id != "fast":
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled += 1
                raise
        return end_user_id

    stream = stream_bounded(["slow1", "fast", "slow2"], one, concurrency=3, on_progress=None)
    async with contextlib.aclosing(stream) as results:
        assert await anext(results) == "fast"
    assert cancelled == 2


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "3"])
def test_bad_concurrency_is_a_typed_error(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="concurrency"):
        check_concurrency(bad)  # type: ignore[arg-type]
