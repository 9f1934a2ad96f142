"""The client-wide bound on requests in flight, plus an optional request rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["RequestLimiter"]


class RequestLimiter:
    """Shared by every call on a client and its copies.

    An ``asyncio.Semaphore`` bounds requests in flight. The connection pool is sized to the
    same number, so the pool itself never has waiters (httpcore degrades badly when it does,
    and cancelled waiters there have leaked connections).
    """

    def __init__(self, max_in_flight: int, *, rate_limit: float | None = None) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be >= 1")
        if rate_limit is not None and rate_limit <= 0:
            raise ValueError("rate_limit must be positive requests per second")
        self.max_in_flight = max_in_flight
        self.rate_limit = rate_limit
        self._semaphore = asyncio.Semaphore(max_in_flight)
        self._next_start = 0.0
        # Attributes rather than module calls so tests can pace on a fake clock.
        self._clock: Callable[[], float] = time.monotonic
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        #: Requests holding a slot right now, and the most ever seen at once.
        self.in_flight = 0
        self.peak_in_flight = 0

    async def acquire(self) -> None:
        await self._semaphore.acquire()
        try:
            if self.rate_limit is not None:
                await self._pace()
        except BaseException:
            self._semaphore.release()
            raise
        self.in_flight += 1
        if self.in_flight > self.peak_in_flight:
            self.peak_in_flight = self.in_flight

    def release(self) -> None:
        self.in_flight -= 1
        self._semaphore.release()

    async def _pace(self) -> None:
        # Reserve the next start time before sleeping: no await between reading and writing
        # _next_start, so concurrent callers each get their own slot.
        assert self.rate_limit is not None
        now = self._clock()
        start = max(now, self._next_start)
        self._next_start = start + 1.0 / self.rate_limit
        if start > now:
            await self._sleep(start - now)
