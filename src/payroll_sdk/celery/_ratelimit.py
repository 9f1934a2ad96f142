"""One request rate for every worker on every machine, kept in Redis by the ``limits`` library.

Two of ``limits``' strategies, both checked and updated atomically by Lua scripts in Redis,
and a request needs a grant from each:

- the **moving window** (a log of the last ``R`` grant times) is the hard cap: no window of one
  second ever holds more than ``R`` grants, whichever process asked;
- the **sliding window counter** (this window's count plus the previous one's, weighted by how
  much of it is still inside the last second) spreads them: once a window is full, the next
  one's grants free up evenly over it instead of all at once when the old grants expire. Grants
  that leave in bursts reach the server with uneven delays, and a one-second window at the
  server then catches more than ``R`` of them; evenly spread grants do not bunch.

We add only the waiting: when a strategy refuses, sleep until it says a grant frees up
(``get_window_stats().reset_time``), then ask again.

It sits below the SDK, as an ``httpx`` transport wrapping the real one, so every HTTP attempt
(retries and pages included) takes a grant and the SDK's own transport stays as it is. Within
a process one coroutine at a time asks Redis (the others queue on a local lock), so Redis
sees about one call per grant plus one per wait, not one per waiting request.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from .._exceptions import ConfigurationError

__all__ = ["GlobalRateLimit", "RateLimitedTransport"]

#: The longest we sleep before asking Redis again, so a lost wake-up costs little.
_MAX_NAP = 0.5


class GlobalRateLimit:
    """``rate`` requests per second across every process that uses the same Redis ``key``.

    ``redis_url`` is a ``redis://`` URL (``limits`` is given its ``async+`` form and the
    ``redis`` package's asyncio client). Bind one instance to one event loop: its Redis
    connections belong to the loop that first used them.
    """

    def __init__(self, redis_url: str, rate: int, *, key: str) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int) or rate < 1:
            raise ConfigurationError("The global rate limit must be a whole number >= 1.")
        self.rate = rate
        self._key = key
        self._item = RateLimitItemPerSecond(rate)
        # implementation="redispy": the redis package is already there for Celery's broker;
        # limits' default (coredis) would add a second Redis client with conflicting pins.
        self._storage = RedisStorage("async+" + redis_url, implementation="redispy", key_prefix=key)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._spreader = SlidingWindowCounterRateLimiter(self._storage)
        self._lock: asyncio.Lock | None = None
        #: Grants taken by this process, and seconds its requests spent waiting for one.
        self.granted = 0
        self.waited = 0.0

    async def acquire(self) -> None:
        """Wait (asleep, never spinning) until a grant is free, and take it."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        started = time.monotonic()
        async with self._lock:
            while True:
                if not await self._spreader.hit(self._item, "spread"):
                    stats = await self._spreader.get_window_stats(self._item, "spread")
                elif await self._limiter.hit(self._item, "requests"):
                    break
                else:
                    # Spread, but over the cap (only just after a burst): this spreader
                    # grant goes unused, which errs on the slow side.
                    stats = await self._limiter.get_window_stats(self._item, "requests")
                # reset_time: when a grant frees up (wall clock, the clock limits stamps
                # grants with). A little jitter keeps processes that woke together from
                # asking at the same instant.
                wait = stats.reset_time - time.time()
                await asyncio.sleep(min(max(wait, 0.001), _MAX_NAP) * random.uniform(1.0, 1.1))
        self.granted += 1
        self.waited += time.monotonic() - started

    async def clear(self) -> None:
        """Forget every grant (tests and benchmarks start from an empty window)."""
        await self._limiter.clear(self._item, "requests")
        await self._spreader.clear(self._item, "spread")

    async def aclose(self) -> None:
        bridge: Any = getattr(self._storage, "bridge", None)
        connection = getattr(bridge, "storage", None)
        close = getattr(connection, "aclose", None)
        if close is not None:
            await close()


class RateLimitedTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport that takes a :class:`GlobalRateLimit` grant before each request
    and then hands it to ``inner``. It also notes the longest ``Retry-After`` of the 429s it
    passes back (:attr:`retry_after_seen`), for the task that decides when to try again."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: GlobalRateLimit | None) -> None:
        self.inner = inner
        self.limit = limit
        self.retry_after_seen: float | None = None
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.limit is not None:
            await self.limit.acquire()
        self.requests += 1
        response = await self.inner.handle_async_request(request)
        if response.status_code == 429:
            self._note_retry_after(response.headers.get("retry-after"))
        return response

    def _note_retry_after(self, value: str | None) -> None:
        try:
            seconds = float(value) if value is not None else None
        except ValueError:
            seconds = None  # an HTTP date: the SDK's error carries it parsed
        if seconds is not None and seconds >= 0:
            self.retry_after_seen = max(self.retry_after_seen or 0.0, seconds)

    def take_retry_after(self) -> float | None:
        """The longest ``Retry-After`` seen since the last call, and forget it."""
        seen, self.retry_after_seen = self.retry_after_seen, None
        return seen

    async def aclose(self) -> None:
        await self.inner.aclose()
        if self.limit is not None:
            await self.limit.aclose()
