"""``ProfileStore``: sync end users' payroll data into SQLite or PostgreSQL, incrementally.

The store owns its database (``_db.Database``: SQLite's transactions on worker threads,
PostgreSQL's on the event loop through asyncpg). A sync lists the user's accounts, reads every
account's six resources (lists from their watermark minus the overlap, see ``_write.py``) and
writes each account in one transaction as soon as it is read. Everything the user-facing
methods raise is a :class:`~payroll_sdk.PayrollError`: API errors as the client raises them,
database errors as :class:`StoreError`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from datetime import timedelta
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from sqlalchemy import Connection, select

from .._config import DEFAULT_STALE_AFTER
from .._exceptions import ConfigurationError, InvalidInputError, PayrollError
from .._validation import path_id
from ..aggregation._freshness import check_stale_after
from ..aggregation._stream import check_concurrency, stream_bounded
from ..models import PayrollAccount
from ..models.profile import RESOURCE_NAMES, PayrollProfile, ResourceName
from ..webhooks import AccountEvent, DataAddedEvent, SyncProgressEvent, WebhookEvent
from . import _migrate
from ._batch import WriteBatcher
from ._db import (
    Database,
    DbClock,
    build_database,
    db_errors,
    resolve_url,
    run_transaction,
    safe_url,
)
from ._errors import StoreError
from ._load import load_profile
from ._pii import PiiMode
from ._process import ProcessDatabase
from ._records import RunRecord, SyncResult
from ._run import retrieved, run_sync, unrecorded
from ._runs import read_runs, run_counts, users_with_status
from ._schema import ACCOUNTS

if TYPE_CHECKING:
    from .._client import PayrollClient

__all__ = ["DEFAULT_OVERLAP", "ProfileStore"]

_T = TypeVar("_T")

DEFAULT_OVERLAP: Final = timedelta(days=45)
"""How far below a list's watermark an incremental sync reads again. 45 days covers a whole
monthly pay period plus two weeks of payroll processing: a paystub that arrives late, or is
corrected and re-issued, for any of the last pay dates is read again and upserted. Older late
arrivals (a history backfill) come with ``*.fully_synced`` webhook events, which re-read the
list in full, or with ``full=True``."""


class ProfileStore:
    """End users' payroll profiles, synced into a database and rebuilt from it.

    ::

        async with ProfileStore("sqlite+aiosqlite:///payroll.db") as store:
            async with PayrollClient() as client:
                result = await store.sync(client, "user_123")  # first everything, then new
            profile = await store.load_profile("user_123")

    - ``url``: an async SQLAlchemy URL, ``sqlite+aiosqlite:///file.db`` or
      ``postgresql+asyncpg://user:password@host/db``; default ``$PAYROLL_STORE_URL``, else
      ``sqlite+aiosqlite:///payroll.db`` in the working directory.
    - ``pii``: ``"raw"`` stores identity and deposit data as the API returned them;
      ``"mask"`` masks them before they are written (see ``payroll_sdk.store._pii``).
    - ``overlap``: how far below a list's watermark incremental syncs read again
      (:data:`DEFAULT_OVERLAP`, 45 days).
    - ``upgrade``: apply the packaged migrations when the store opens (default); ``False``
      refuses to open a database whose schema is not at this version's head, for deployments
      that migrate in a separate step (:meth:`upgrade`).
    - ``engine_options``: keyword arguments for SQLAlchemy's ``create_engine`` (SQLite) or
      ``create_async_engine`` (PostgreSQL): ``pool_size``... On PostgreSQL the store's pool
      keeps up to 15 connections open (``pool_size=15, max_overflow=0``) unless these size
      it (``pool_size``, ``max_overflow``, ``poolclass`` or ``pool``).
    - ``database_process``: run the database work in a child process of the store's own
      (started when the store opens, which then takes about half a second; it exits when the
      store closes).
      For batch syncs: the writes then use another core instead of competing with the
      parsing of responses for this process's interpreter lock (docs/store.md,
      "Performance"). Off by default: a store that syncs a few users or serves webhooks
      gains nothing from it.

    One store per event loop: its PostgreSQL connections belong to the loop that opened it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        pii: PiiMode = "raw",
        overlap: timedelta = DEFAULT_OVERLAP,
        upgrade: bool = True,
        engine_options: dict[str, Any] | None = None,
        database_process: bool = False,
    ) -> None:
        if pii not in ("raw", "mask"):
            raise ConfigurationError("pii must be 'raw' or 'mask'.")
        if not isinstance(overlap, timedelta) or overlap < timedelta(0):
            raise ConfigurationError("overlap must be a timedelta >= 0.")
        self._url = resolve_url(url)
        self.pii: PiiMode = pii
        self.overlap = overlap
        self._auto_upgrade = upgrade
        self._engine_options = engine_options
        if not isinstance(database_process, bool):
            raise ConfigurationError("database_process must be True or False.")
        self.database_process = database_process
        self._database: Database | None = None
        self._write_lock: asyncio.Lock | None = None
        self._batcher: WriteBatcher | None = None
        self._clock = DbClock()
        self._background: set[asyncio.Task[Any]] = set()

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return safe_url(self._url)

    @property
    def db_busy_seconds(self) -> float:
        """Wall time during which at least one database call of this store was running."""
        return self._clock.busy

    async def open(self) -> None:
        """Connect, and bring the schema to this version's head (or check it is there)."""
        if self._database is not None:
            return
        database: Database = (
            ProcessDatabase(self._url, self._engine_options)
            if self.database_process
            else build_database(self._url, self._engine_options)
        )
        # SQLite allows one writer at a time: within a process writers queue on this lock
        # rather than on SQLite's busy timeout.
        self._write_lock = asyncio.Lock() if database.dialect_name == "sqlite" else None
        # Writes that queue up are written together, one transaction a batch (see _batch.py);
        # how many batches at once is the database's to say (``Database.parallel_writes``).
        self._batcher = WriteBatcher(
            self._write_batch, self._in_background, parallel=database.parallel_writes
        )
        try:
            with db_errors(f"open the store at {self.url}"):
                await database.start()
                if self._auto_upgrade:
                    await _migrate.upgrade(database)
                else:
                    current = await _migrate.current_revision(database)
                    if current != _migrate.head_revision():
                        raise StoreError(
                            f"The store's schema is at {current or 'nothing'}, not "
                            f"{_migrate.head_revision()}: run ProfileStore(...).upgrade() "
                            "or open it with upgrade=True."
                        )
        except BaseException:
            await database.dispose()
            raise
        self._database = database

    async def upgrade(self) -> None:
        """Apply the packaged migrations up to this version's head (idempotent)."""
        database = self._database
        if database is None:
            database = build_database(self._url, self._engine_options)
        try:
            with db_errors(f"upgrade the store at {self.url}"):
                await _migrate.upgrade(database)
        finally:
            if database is not self._database:
                await database.dispose()

    async def aclose(self) -> None:
        """Wait for bookkeeping still running, then close the database (idempotent)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._database is not None:
            database, self._database = self._database, None
            await database.dispose()

    async def __aenter__(self) -> ProfileStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        process = ", database_process=True" if self.database_process else ""
        return f"<ProfileStore url={self.url!r} pii={self.pii!r}{process}>"

    def _database_or_raise(self) -> Database:
        if self._database is None:
            raise StoreError("The store is not open: use 'async with ProfileStore(...)'.")
        return self._database

    async def _db(
        self,
        work: Callable[[Connection], _T],
        *,
        action: str,
        write: bool = False,
        clock: DbClock | None = None,
    ) -> _T:
        """``work(connection)`` in one transaction, committed if it returns. A write may share
        its transaction with other writes that queued up meanwhile (see ``_batch.py``); it is
        still done whole or not at all.

        Shielded from cancellation: a cancelled caller stops waiting at once, but the
        transaction runs to its end (``aclose`` waits for it). Database calls are short, and a
        driver interrupted mid-call can leave its connection in an unknown state (an open
        transaction holding locks), which is worse than finishing a few milliseconds of work.
        """
        self._database_or_raise()
        batcher = self._batcher
        if not write or batcher is None:
            return await self._transaction(work, action=action, write=write, clock=clock)
        async with (clock or self._clock).timing():
            done = batcher.write(work, action)
            try:
                return await asyncio.shield(done)
            except asyncio.CancelledError:
                done.add_done_callback(retrieved)
                raise

    async def _transaction(
        self,
        work: Callable[[Connection], _T],
        *,
        action: str,
        write: bool,
        clock: DbClock | None,
    ) -> _T:
        """``work`` in a transaction of its own, shielded from cancellation (see :meth:`_db`)."""
        database = self._database_or_raise()
        lock = self._write_lock if write else None
        task = asyncio.ensure_future(
            run_transaction(database, work, lock, clock or self._clock, action)
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            self._in_background(task)
            raise

    async def _write_batch(self, work: Callable[[Connection], list[Any]], action: str) -> list[Any]:
        return await self._transaction(work, action=action, write=True, clock=None)

    # -- reading ------------------------------------------------------------------------------

    async def load_profile(
        self, end_user_id: str, *, stale_after: timedelta | float = DEFAULT_STALE_AFTER
    ) -> PayrollProfile | None:
        """The user's profile rebuilt from the database, or ``None`` if never synced.

        For a user synced completely, it equals what ``client.get_profile`` returned at the
        sync's moment: the same accounts, record ids, cents and summary, and the same
        freshness verdicts (judged as of ``fetched_at``, when that sync started, against
        ``stale_after`` as in ``get_profile``). A resource whose last read failed shows the data
        of the read before it, with its status saying it failed.
        """
        path_id(end_user_id, "end_user_id")
        window = check_stale_after(stale_after)
        return await self._db(
            partial(load_profile, end_user_id=end_user_id, stale_after=window),
            action="load a profile",
        )

    async def runs(
        self, *, end_user_id: str | None = None, batch_id: str | None = None, limit: int = 100
    ) -> list[RunRecord]:
        """Rows of the runs table, newest first, optionally for one user or one batch."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInputError("limit must be an int >= 1.")
        return await self._db(
            partial(read_runs, end_user_id=end_user_id, batch_id=batch_id, limit=limit),
            action="read the runs",
        )

    async def batch_progress(self, batch_id: str) -> dict[str, int]:
        """Runs of a batch by status: ``{"complete": 812, "running": 20, "failed": 3}``."""
        return await self._db(
            partial(run_counts, batch_id=batch_id), action="read a batch's progress"
        )

    async def complete_in_batch(self, batch_id: str, end_user_ids: Iterable[str]) -> set[str]:
        """Which of ``end_user_ids`` already have a ``complete`` run in ``batch_id``.

        What lets a batch job that is run again (a queue delivering a task twice, a worker
        that died mid-chunk) skip the users it already synced.
        """
        ids = list(end_user_ids)
        if not ids:
            return set()
        return await self._db(
            partial(users_with_status, batch_id=batch_id, end_user_ids=ids, statuses=("complete",)),
            action="read a batch's finished users",
        )

    # -- syncing ------------------------------------------------------------------------------

    async def sync(
        self,
        client: PayrollClient,
        end_user_id: str,
        *,
        full: bool = False,
        batch_id: str | None = None,
    ) -> SyncResult:
        """Sync one end user: everything the first time, then what is new.

        Resource failures do not raise: the resource keeps its stored rows and
        ``result.problems`` says what failed. A user that cannot be synced at all raises the
        typed error (``NotFoundError`` for an unknown end user, ``AuthenticationError``, the
        accounts listing failing after retries, :class:`StoreError`), after the run is
        recorded as failed. ``full=True`` re-reads every list from the beginning.
        """
        path_id(end_user_id, "end_user_id")
        result = await run_sync(self, client, end_user_id, full=full, batch_id=batch_id)
        if result.error is not None:
            raise result.error
        return result

    async def sync_many(
        self,
        client: PayrollClient,
        end_user_ids: Iterable[str],
        *,
        concurrency: int = 20,
        full: bool = False,
        batch_id: str | None = None,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> AsyncGenerator[SyncResult, None]:
        """Sync many users, at most ``concurrency`` read from the API at once; yield each
        user's result as it finishes (not in input order). A user whose reads are done waits
        for its writes without holding one of the ``concurrency`` places, so a slow database
        does not slow the reads (up to ``concurrency`` users more are kept waiting so).

        Never raises for one user: a user that failed is a result with ``status="failed"``
        and ``error`` set. ``on_progress(done, total)`` is called after each user (``total``
        is ``None`` when ``end_user_ids`` has no length). Leaving the loop early cancels the
        syncs in progress; their unfinished accounts roll back and the next sync completes
        them.
        """
        check_concurrency(concurrency)
        self._database_or_raise()
        fetching = asyncio.Semaphore(concurrency)

        async def one(end_user_id: str) -> SyncResult:
            try:
                path_id(end_user_id, "end_user_id")
            except InvalidInputError as exc:
                return unrecorded(end_user_id, full, exc)
            try:
                return await run_sync(
                    self, client, end_user_id, full=full, batch_id=batch_id, fetching=fetching
                )
            except PayrollError as exc:  # the run itself could not be recorded
                return unrecorded(end_user_id, full, exc)

        # ``concurrency`` users are read from the API at once (``fetching``); as many more may
        # be waiting for their run row or their writes, holding no fetch slot meanwhile.
        # aclosing: leaving this generator early must cancel the work in progress now, not
        # when the inner generator is garbage-collected.
        stream = stream_bounded(
            end_user_ids, one, concurrency=2 * concurrency, on_progress=on_progress
        )
        async with contextlib.aclosing(stream) as results:
            async for result in results:
                yield result

    async def apply(self, client: PayrollClient, event: WebhookEvent) -> SyncResult | None:
        """Sync what a verified webhook event names, and only that.

        - ``paystubs.added``, ``income.added``... (a :class:`DataAddedEvent`): that resource
          of that account, lists from their watermark; ``pending`` outcomes are skipped (a
          final event follows);
        - ``paystubs.fully_synced``... (a :class:`SyncProgressEvent`): that list of that
          account re-read in full, because history older than the watermark was added;
        - ``account.*`` events: the whole user (new accounts are read in full).

        An event for an account the store has never seen syncs its whole user. Returns
        ``None`` when the event names nothing the store keeps (other events, documents, tax
        forms) or no user to sync. Raises like :meth:`sync`.
        """
        if isinstance(event, DataAddedEvent | SyncProgressEvent):
            payload = event.payload
            if isinstance(event, DataAddedEvent) and payload.outcome == "pending":
                return None
            resource = cast(ResourceName, event.resource)
            if resource not in RESOURCE_NAMES or not payload.account_id:
                return None
            full = isinstance(event, SyncProgressEvent)
            target = await self._stored_account(payload.account_id)
            if target is not None:
                account, owner = target
                result = await run_sync(
                    self,
                    client,
                    owner,
                    full=full,
                    batch_id=None,
                    trigger="webhook",
                    only=(account, frozenset({resource})),
                )
                if result.error is not None:
                    raise result.error
                return result
        elif not isinstance(event, AccountEvent):
            return None
        user = event.payload.end_user_id
        if not user:
            return None
        path_id(user, "end_user_id")
        result = await run_sync(self, client, user, full=False, batch_id=None, trigger="webhook")
        if result.error is not None:
            raise result.error
        return result

    async def _stored_account(self, account_id: str) -> tuple[PayrollAccount, str] | None:
        row = await self._db(
            partial(_look_up_account, account_id=account_id), action="look up an account"
        )
        if row is None:
            return None
        data, owner = row
        return PayrollAccount.model_validate_json(data), owner

    # -- one sync -----------------------------------------------------------------------------

    def _in_background(self, work: Awaitable[Any]) -> None:
        """Run bookkeeping to its end even though the sync was cancelled; ``aclose`` waits."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _look_up_account(connection: Connection, account_id: str) -> tuple[str, str] | None:
    """A stored account's JSON and its end user."""
    query = select(ACCOUNTS.c.data, ACCOUNTS.c.end_user_id).where(ACCOUNTS.c.id == account_id)
    row = connection.execute(query).one_or_none()
    return None if row is None else (row.data, row.end_user_id)
