"""The store's engine: building it from a URL, SQLite's settings, timing and error wrapping."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .._exceptions import ConfigurationError
from ._errors import StoreError

__all__ = [
    "DEFAULT_URL",
    "ENV_STORE_URL",
    "DbClock",
    "build_engine",
    "db_errors",
    "resolve_url",
    "safe_url",
]

ENV_STORE_URL: Final = "PAYROLL_STORE_URL"
#: Embedded default: a file in the working directory, no server needed.
DEFAULT_URL: Final = "sqlite+aiosqlite:///payroll.db"
_DRIVERS: Final = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
#: Seconds SQLite waits for another process's write lock before failing.
_SQLITE_BUSY_TIMEOUT: Final = 30
#: SQLite connections the pool keeps open (each is a thread of aiosqlite's).
_SQLITE_POOL_SIZE: Final = 20


def resolve_url(url: str | None) -> str:
    """``url``, else ``$PAYROLL_STORE_URL``, else :data:`DEFAULT_URL`; checked, not opened."""
    chosen = url if url is not None else os.environ.get(ENV_STORE_URL) or DEFAULT_URL
    if not isinstance(chosen, str) or not chosen:
        raise ConfigurationError("The store URL must be a non-empty str.")
    try:
        parsed = make_url(chosen)
    except ArgumentError:
        raise ConfigurationError(
            "The store URL is not a database URL (expected e.g. "
            "'sqlite+aiosqlite:///payroll.db' or 'postgresql+asyncpg://user@host/db')."
        ) from None
    backend = parsed.get_backend_name()
    driver = _DRIVERS.get(backend)
    if driver is None:
        raise ConfigurationError(
            f"Unsupported store database {backend!r}: use SQLite or PostgreSQL."
        )
    if parsed.get_driver_name() != driver:
        raise ConfigurationError(
            f"The store needs an async driver: use {backend}+{driver}:// in the URL."
        )
    return chosen


def safe_url(url: str) -> str:
    """The URL with its password hidden, fit for messages."""
    return make_url(url).render_as_string(hide_password=True)


def build_engine(url: str, options: dict[str, Any] | None = None) -> AsyncEngine:
    chosen = dict(options or {})
    if make_url(url).get_backend_name() == "sqlite" and not {"poolclass", "pool"} & set(chosen):
        # Readers run side by side (WAL), one connection each. SQLAlchemy's default keeps 5
        # and closes the overflow on check-in, so with 20-50 syncs at once an aiosqlite
        # connection (a thread, the file, the PRAGMAs) was opened and closed for most reads:
        # measured 86 opens in one incremental pass of 200 users. Keep more of them.
        chosen.setdefault("pool_size", _SQLITE_POOL_SIZE)
    try:
        engine = create_async_engine(url, **chosen)
    except (ArgumentError, ImportError) as exc:
        raise ConfigurationError(
            f"Cannot build the store's engine for {safe_url(url)}: {type(exc).__name__}. "
            "Install the extra: pip install 'payroll-sdk[store]'."
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_settings)
    return engine


def _sqlite_settings(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers (load_profile) run beside the one writer; foreign keys are off by
        # default in SQLite; busy_timeout makes a second process wait for the lock, not fail.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT * 1000}")
    finally:
        cursor.close()


@contextlib.contextmanager
def db_errors(action: str) -> Iterator[None]:
    """Turn a database failure into :class:`StoreError`.

    The message has the error's class and the SQL statement, never its parameters (personal
    data) nor the driver's message (which can quote values); the chain is cut for the same
    reason.
    """
    try:
        yield
    except SQLAlchemyError as exc:
        raise _store_error(action, exc) from None
    except OSError as exc:  # a refused connection, a missing directory for the SQLite file
        reason = exc.strerror or "OS error"
        raise StoreError(f"Cannot {action}: {type(exc).__name__} ({reason}).") from None


def _store_error(action: str, exc: SQLAlchemyError) -> StoreError:
    original = getattr(exc, "orig", None)
    cause = f" from {type(original).__name__}" if original is not None else ""
    statement = getattr(exc, "statement", None)
    where = f" in: {' '.join(str(statement).split())[:160]}" if statement else ""
    return StoreError(f"Cannot {action}: {type(exc).__name__}{cause}{where}")


class DbClock:
    """Time spent on the database: per sync (``seconds``) and, for a whole store, ``busy``:
    the wall time during which at least one database call was in progress."""

    def __init__(self, parent: DbClock | None = None) -> None:
        self.seconds = 0.0
        self.busy = 0.0
        self._active = 0
        self._since = 0.0
        self._parent = parent

    def _enter(self) -> None:
        if self._active == 0:
            self._since = time.perf_counter()
        self._active += 1

    def _leave(self, started: float) -> None:
        now = time.perf_counter()
        self.seconds += now - started
        self._active -= 1
        if self._active == 0:
            self.busy += now - self._since

    @contextlib.asynccontextmanager
    async def timing(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        clocks = [c for c in (self, self._parent) if c is not None]
        for clock in clocks:
            clock._enter()
        try:
            yield
        finally:
            for clock in clocks:
                clock._leave(started)


@contextlib.asynccontextmanager
async def transaction(
    engine: AsyncEngine, lock: asyncio.Lock | None, clock: DbClock, action: str
) -> AsyncIterator[AsyncConnection]:
    """One transaction: committed if the block ends normally, rolled back otherwise
    (cancellation included). ``lock`` serialises SQLite's writers within this process.

    The lock is taken before a connection is checked out (a writer waiting for it holds no
    connection of the pool) and released as soon as the transaction has ended, before the
    connection goes back to the pool: the pool's reset on check-in is one more round trip to
    the driver's thread that the next writer need not wait for.
    """
    async with clock.timing():
        with db_errors(action):
            async with contextlib.AsyncExitStack() as stack:
                held = _Held(lock)
                await held.acquire()
                stack.callback(held.release)
                connection = await stack.enter_async_context(engine.connect())
                async with connection.begin():
                    yield connection
                held.release()


class _Held:
    """An optional lock released at most once by its holder."""

    def __init__(self, lock: asyncio.Lock | None) -> None:
        self._lock = lock
        self._held = False

    async def acquire(self) -> None:
        if self._lock is not None:
            await self._lock.acquire()
            self._held = True

    def release(self) -> None:
        if self._held and self._lock is not None:
            self._held = False
            self._lock.release()
