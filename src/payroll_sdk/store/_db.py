"""The store's database: building it from a URL, running one transaction, SQLite's settings,
timing and error wrapping.

Every piece of the store's database work is a plain function of a SQLAlchemy ``Connection``
(Core statements, no ORM) run whole in one transaction by :meth:`Database.run`:

- **SQLite**: on one of the store's worker threads, through the standard library's
  ``sqlite3`` (SQLAlchemy's ``pysqlite`` dialect; the URL keeps its ``+aiosqlite`` driver
  name). A transaction is one trip to a thread however many statements it runs. Through an
  async driver each statement takes three or four trips (open a cursor, execute, fetch,
  close), and each trip waits for the event loop to come round: measured on issue 12's
  benchmark, 31 trips a user at about 5 ms each while 50 users' responses were being parsed,
  so the writes queued behind each other and the loop sat idle a fifth of the time.
- **PostgreSQL**: on the event loop, through asyncpg, with ``AsyncConnection.run_sync``:
  each statement is a round trip to the server, as it must be.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

from sqlalchemy import Connection, Dialect, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from .._exceptions import ConfigurationError
from ._errors import StoreError

__all__ = [
    "DEFAULT_URL",
    "ENV_STORE_URL",
    "Database",
    "DbClock",
    "RemoteDatabaseError",
    "build_database",
    "db_errors",
    "describe_error",
    "resolve_url",
    "run_transaction",
    "safe_url",
]

_T = TypeVar("_T")

ENV_STORE_URL: Final = "PAYROLL_STORE_URL"
#: Embedded default: a file in the working directory, no server needed.
DEFAULT_URL: Final = "sqlite+aiosqlite:///payroll.db"
#: The drivers a URL may name, per database. SQLite's transactions go through the standard
#: library's sqlite3 whatever the URL says; ``+aiosqlite`` (the documented default) is kept
#: so the URLs of earlier versions still work.
_DRIVERS: Final = {"sqlite": ("aiosqlite", "pysqlite"), "postgresql": ("asyncpg",)}
#: Seconds SQLite waits for another process's write lock before failing.
_SQLITE_BUSY_TIMEOUT: Final = 30
#: PostgreSQL write transactions at once in this process (the default pool holds 5 + 10
#: overflow).
_POSTGRES_PARALLEL_WRITES: Final = 8
#: SQLite transactions at once, each on a thread of the store's with a pooled connection.
_SQLITE_THREADS: Final = 8
#: PostgreSQL connections the store keeps (unless ``engine_options`` size the pool): as many
#: as SQLAlchemy's default pool opens at most (5 + 10 overflow), but all kept open. With the
#: default, a sync_many with more than 5 transactions at once opened and closed an overflow
#: connection per transaction beyond the fifth (measured: 93 sessions in a first sync of 300
#: users, 51 in the incremental one), each a new server process with cold caches.
_POSTGRES_POOL: Final = {"pool_size": 15, "max_overflow": 0}


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
    drivers = _DRIVERS.get(backend)
    if drivers is None:
        raise ConfigurationError(
            f"Unsupported store database {backend!r}: use SQLite or PostgreSQL."
        )
    if parsed.get_driver_name() not in drivers:
        raise ConfigurationError(
            f"Unsupported driver {parsed.get_driver_name()!r} for {backend}: use "
            f"{backend}+{drivers[0]}:// in the URL."
        )
    return chosen


def safe_url(url: str) -> str:
    """The URL with its password hidden, fit for messages."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """Where the store's transactions run; see the module docstring."""

    #: ``"sqlite"`` or ``"postgresql"``.
    dialect_name: str

    @property
    def parallel_writes(self) -> int:
        """Write transactions the store runs at once. SQLite has one writer at a time anyway.
        PostgreSQL: a few side by side, so a write never waits long for a batch in progress,
        leaving the pool's other connections to the reads."""
        return 1 if self.dialect_name == "sqlite" else _POSTGRES_PARALLEL_WRITES

    async def start(self) -> None:
        """Whatever must run before the first transaction (nothing, unless overridden)."""

    async def run(self, work: Callable[[Connection], _T]) -> _T:
        """``work(connection)`` in one transaction: committed if it returns, else rolled
        back."""
        raise NotImplementedError

    async def dispose(self) -> None:
        """Close the pooled connections (and the threads)."""
        raise NotImplementedError


class _EngineDatabase(Database):
    """A database whose transactions run in this process, on ``sync_engine``'s connections."""

    def __init__(self, sync_engine: Engine, dialect: Dialect) -> None:
        #: The engine whose ``Connection`` the work receives (events can be listened on it).
        self.sync_engine = sync_engine
        self.dialect = dialect
        self.dialect_name = dialect.name


class _ThreadedDatabase(_EngineDatabase):
    """SQLite: each transaction whole on a worker thread, through ``sqlite3``."""

    def __init__(self, engine: Engine, threads: int) -> None:
        super().__init__(engine, engine.dialect)
        self._engine = engine
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="payroll-store")

    def _transaction(self, work: Callable[[Connection], _T]) -> _T:
        with self._engine.begin() as connection:
            return work(connection)

    async def run(self, work: Callable[[Connection], _T]) -> _T:
        loop = asyncio.get_running_loop()
        try:
            pending = loop.run_in_executor(self._threads, self._transaction, work)
        except RuntimeError:  # the threads were shut down: a call racing the store's close
            raise StoreError("The store is closed.") from None
        return await pending

    async def dispose(self) -> None:
        # Waits for a transaction still running on a thread (it is never cut short).
        await asyncio.to_thread(self._threads.shutdown, wait=True)
        self._engine.dispose()


class _AsyncDatabase(_EngineDatabase):
    """PostgreSQL: on the event loop, each statement a round trip through asyncpg."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine.sync_engine, engine.dialect)
        self._engine = engine

    async def run(self, work: Callable[[Connection], _T]) -> _T:
        async with self._engine.connect() as connection, connection.begin():
            return await connection.run_sync(work)

    async def dispose(self) -> None:
        await self._engine.dispose()


def build_database(url: str, options: dict[str, Any] | None = None) -> Database:
    """The database at ``url`` (checked by :func:`resolve_url`); nothing is opened yet."""
    chosen = dict(options or {})
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() != "sqlite":
            if not {"poolclass", "pool", "pool_size", "max_overflow"} & set(chosen):
                chosen.update(_POSTGRES_POOL)
            return _AsyncDatabase(create_async_engine(url, **chosen))
        threads = _SQLITE_THREADS
        memory = parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed)
        if not {"poolclass", "pool"} & set(chosen):
            if memory:  # each :memory: connection is a database of its own: keep one
                chosen.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
                threads = 1
            else:
                chosen.setdefault("pool_size", threads)
        engine = create_engine(parsed.set(drivername="sqlite+pysqlite"), **chosen)
    except (ArgumentError, ImportError, TypeError) as exc:
        raise ConfigurationError(
            f"Cannot build the store's engine for {safe_url(url)}: {type(exc).__name__}. "
            "Install the extra: pip install 'payroll-sdk[store]'."
        ) from None
    event.listen(engine, "connect", _sqlite_settings)
    return _ThreadedDatabase(engine, threads)


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
        raise StoreError(f"Cannot {action}: {describe_error(exc)}") from None
    except RemoteDatabaseError as exc:
        raise StoreError(f"Cannot {action}: {exc.description}") from None


def _store_error(action: str, exc: SQLAlchemyError) -> StoreError:
    return StoreError(f"Cannot {action}: {describe_error(exc)}")


def describe_error(exc: SQLAlchemyError | OSError) -> str:
    """What a database failure may say: its class, its driver error's class and the SQL
    statement (never the parameters or the driver's message, which can quote values)."""
    if isinstance(exc, OSError):
        return f"{type(exc).__name__} ({exc.strerror or 'OS error'})."
    original = getattr(exc, "orig", None)
    cause = f" from {type(original).__name__}" if original is not None else ""
    statement = getattr(exc, "statement", None)
    where = f" in: {' '.join(str(statement).split())[:160]}" if statement else ""
    return f"{type(exc).__name__}{cause}{where}"


class RemoteDatabaseError(Exception):
    """A database failure in the store's database process, described by
    :func:`describe_error` there (the exception itself does not cross processes)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


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


async def run_transaction(
    database: Database,
    work: Callable[[Connection], _T],
    lock: asyncio.Lock | None,
    clock: DbClock,
    action: str,
) -> _T:
    """``work`` in one transaction, timed, its database errors as :class:`StoreError`.
    ``lock`` serialises SQLite's writers within this process; it is taken before the
    transaction starts, so a writer waiting for it holds no connection of the pool."""
    async with clock.timing():
        with db_errors(action):
            if lock is None:
                return await database.run(work)
            async with lock:
                return await database.run(work)
