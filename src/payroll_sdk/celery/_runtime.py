"""What one worker process keeps between tasks: an event loop, one client, one store.

Celery runs task functions synchronously; the SDK is async. Each worker process therefore
owns one event loop for its whole life and runs every task on it
(``loop.run_until_complete``). The client (its connection pools, its in-flight bound, the
global rate limiter's Redis connections) and the store (its database engine) are created on
that loop when the process starts and closed on it when the process stops, so they are never
rebuilt per task and never touched from a loop that does not own them.

That fits Celery's ``prefork`` pool (the default: one process per core, one task at a time
per process, the concurrency is inside the task) and ``solo``. Thread-based pools
(``threads``, ``gevent``, ``eventlet``) would call into one loop from several threads: refused
with a clear error. The runtime is built in ``worker_process_init`` (prefork children) or on
the first task (solo), and a process that was forked from one that had a runtime builds its
own instead of inheriting a loop it cannot use.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from .._aiohttp import FastTransport
from .._client import PayrollClient
from .._exceptions import ConfigurationError
from ._ratelimit import GlobalRateLimit, RateLimitedTransport
from ._settings import CelerySettings

if TYPE_CHECKING:
    from ..store import ProfileStore

__all__ = ["WorkerRuntime", "close_runtime", "get_runtime"]

_T = TypeVar("_T")

#: Held while a worker opens (and so migrates) the store: workers starting together on a
#: fresh database would otherwise race to create the same tables.
_MIGRATE_LOCK_SECONDS = 300


class WorkerRuntime:
    """One worker process's loop, client, store and Redis connection."""

    def __init__(self, settings: CelerySettings) -> None:
        self.settings = settings
        self.pid = os.getpid()
        self.thread = threading.get_ident()
        self.loop = asyncio.new_event_loop()
        self.client: PayrollClient | None = None
        self.store: ProfileStore | None = None
        self.transport: RateLimitedTransport | None = None
        self.redis: Any = None
        self._closed = False

    def run(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run ``work`` on this process's loop and return its result."""
        if threading.get_ident() != self.thread:
            work.close()
            raise ConfigurationError(
                "payroll_sdk.celery runs tasks on one event loop per worker process: use the "
                "prefork (default) or solo pool, not threads, gevent or eventlet."
            )
        return self.loop.run_until_complete(work)

    def open(self) -> None:
        self.run(self._open())

    async def _open(self) -> None:
        import redis.asyncio

        from ..store import ProfileStore

        settings = self.settings
        if not os.environ.get("PAYROLL_LOG"):
            # A worker started with --loglevel INFO would otherwise log every HTTP request
            # (the SDK's logger inherits the root level Celery sets); PAYROLL_LOG=info asks
            # for them explicitly.
            logging.getLogger("payroll_sdk").setLevel(logging.WARNING)
        self.redis = redis.asyncio.Redis.from_url(settings.redis_url)
        limit = (
            GlobalRateLimit(
                settings.redis_url, settings.rate_limit, key=f"{settings.prefix}ratelimit:"
            )
            if settings.rate_limit is not None
            else None
        )
        # The client's own default transport, sized to the in-flight bound as the client
        # sizes it, wrapped so each request first takes a global grant.
        inner = FastTransport(max_connections=settings.max_in_flight)
        self.transport = RateLimitedTransport(inner, limit)
        try:
            # The secret and base URL come from PAYROLL_API_SECRET / PAYROLL_BASE_URL, as
            # for any client; they are never part of the settings or the task messages.
            self.client = PayrollClient(
                max_in_flight=settings.max_in_flight,
                # The SDK's own pacing, at the global rate: this process's requests are spaced
                # 1/R apart instead of leaving in a burst whenever the global window frees,
                # which keeps the rate the server sees even (bursts arrive with uneven delays,
                # and a window of one second at the server then catches more than R).
                rate_limit=settings.rate_limit,
                retry_after_cap=settings.retry_after_cap,
                transport=self.transport,
            )
            store = ProfileStore(settings.store_url)
            lock = self.redis.lock(
                f"{settings.prefix}store-migrate",
                timeout=_MIGRATE_LOCK_SECONDS,
                blocking_timeout=_MIGRATE_LOCK_SECONDS,
            )
            async with lock:
                await store.open()
            self.store = store
        except BaseException:
            await self._aclose()
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.loop.run_until_complete(self._aclose())
        finally:
            self.loop.close()

    async def _aclose(self) -> None:
        if self.store is not None:
            await self.store.aclose()
        if self.client is not None:
            await self.client.aclose()  # closes the transport, and the limiter's Redis
        elif self.transport is not None:
            await self.transport.aclose()
        if self.redis is not None:
            await self.redis.aclose()


_runtime: WorkerRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime(settings: CelerySettings) -> WorkerRuntime:
    """This process's runtime, opened on first use."""
    global _runtime
    with _runtime_lock:
        if _runtime is None or _runtime.pid != os.getpid():
            # A runtime from the parent of a fork: its loop and sockets are the parent's.
            runtime = WorkerRuntime(settings)
            runtime.open()
            _runtime = runtime
        return _runtime


def close_runtime() -> None:
    """Close this process's runtime, if it has one (idempotent)."""
    global _runtime
    with _runtime_lock:
        runtime, _runtime = _runtime, None
    if runtime is not None and runtime.pid == os.getpid():
        runtime.close()
