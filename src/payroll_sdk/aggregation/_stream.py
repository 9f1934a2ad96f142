"""One bounded, streamed fan-out: ``get_profiles`` and ``ProfileStore.sync_many`` share it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterable, Iterator, Sized
from typing import Any, TypeVar

from .._exceptions import InvalidInputError

__all__ = ["check_concurrency", "stream_bounded"]

_T = TypeVar("_T")


def check_concurrency(concurrency: int) -> int:
    """``concurrency`` itself, or :class:`~payroll_sdk.InvalidInputError` if it is not an
    ``int >= 1`` (a ``bool`` is refused: ``True`` is never meant as 1)."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidInputError("concurrency must be an int >= 1.")
    return concurrency


async def stream_bounded(
    end_user_ids: Iterable[str],
    one: Callable[[str], Coroutine[Any, Any, _T]],
    *,
    concurrency: int,
    on_progress: Callable[[int, int | None], None] | None,
) -> AsyncGenerator[_T, None]:
    """Yield ``await one(id)`` for every id, as each finishes, at most ``concurrency`` at once.

    Ids are read lazily, so a generator of millions costs nothing up front, and nothing is
    kept once yielded (memory stays flat however long the batch). ``one`` must not raise for
    one id: it returns that id's failure as a result. ``on_progress(done, total)`` runs after
    each result (``total`` is ``None`` when the ids have no length). Leaving the loop early
    (``break``, an exception, cancellation) cancels what is still in progress and waits for it.
    """
    total = len(end_user_ids) if isinstance(end_user_ids, Sized) else None
    ids: Iterator[str] = iter(end_user_ids)
    pending: set[asyncio.Task[_T]] = set()
    done = 0

    def refill() -> None:
        while len(pending) < concurrency:
            try:
                end_user_id = next(ids)
            except StopIteration:
                return
            pending.add(asyncio.create_task(one(end_user_id)))

    try:
        refill()
        while pending:
            finished, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                pending.discard(task)
                result = task.result()
                done += 1
                if on_progress is not None:
                    on_progress(done, total)
                yield result
                del result  # a held profile is ~1 MB: drop it before waiting for the next
            refill()
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
