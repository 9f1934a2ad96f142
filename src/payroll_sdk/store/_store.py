"""``ProfileStore``: sync end users' payroll data into SQLite or PostgreSQL, incrementally.

The store owns an async SQLAlchemy engine. A sync lists the user's accounts, reads every
account's six resources (lists from their watermark minus the overlap, see ``_write.py``) and
writes each account in one transaction as soon as it is read. Everything the user-facing
methods raise is a :class:`~payroll_sdk.PayrollError`: API errors as the client raises them,
database errors as :class:`StoreError`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator, Sized
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .._exceptions import ConfigurationError, InvalidInputError, PayrollError
from .._validation import path_id
from ..aggregation._fetch import _first_error, _unique_by_id, fetch_account
from ..aggregation._outcome import failure_reason
from ..models import PayrollAccount
from ..models.profile import RESOURCE_NAMES, PayrollProfile, Problem, ResourceName
from ..webhooks import AccountEvent, DataAddedEvent, SyncProgressEvent, WebhookEvent
from . import _migrate
from ._db import DbClock, build_engine, db_errors, resolve_url, safe_url, transaction
from ._errors import StoreError
from ._load import load_profile
from ._pii import PiiMode
from ._records import RunRecord, RunStatus, SyncResult
from ._runs import finish_run, read_runs, run_counts, start_run
from ._schema import ACCOUNTS, END_USERS
from ._write import LIST_RESOURCES, Counts, mark_unlisted, stored_resources, write_account

if TYPE_CHECKING:
    from .._client import PayrollClient

__all__ = ["DEFAULT_OVERLAP", "ProfileStore"]

DEFAULT_OVERLAP: Final = timedelta(days=45)
"""How far below a list's watermark an incremental sync reads again. 45 days covers a whole
monthly pay period plus two weeks of payroll processing: a paystub that arrives late, or is
corrected and re-issued, for any of the last pay dates is read again and upserted. Older late
arrivals (a history backfill) come with ``*.fully_synced`` webhook events, which re-read the
list in full, or with ``full=True``."""

_ALL: Final = frozenset(RESOURCE_NAMES)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Tally:
    """What one sync has done so far (kept up to date so a cancelled run can record it)."""

    accounts: int = 0
    requests: int = 0
    counts: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)
    listed: list[str] | None = None


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
    - ``engine_options``: keyword arguments for ``create_async_engine`` (``pool_size``...).

    One store per event loop: its engine's connections belong to the loop that opened it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        pii: PiiMode = "raw",
        overlap: timedelta = DEFAULT_OVERLAP,
        upgrade: bool = True,
        engine_options: dict[str, Any] | None = None,
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
        self._engine: AsyncEngine | None = None
        self._write_lock: asyncio.Lock | None = None
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
        if self._engine is not None:
            return
        engine = build_engine(self._url, self._engine_options)
        # SQLite allows one writer at a time: within a process writers queue on this lock
        # rather than on SQLite's busy timeout.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        try:
            with db_errors(f"open the store at {self.url}"):
                if self._auto_upgrade:
                    await _migrate.upgrade(engine)
                else:
                    current = await _migrate.current_revision(engine)
                    if current != _migrate.head_revision():
                        raise StoreError(
                            f"The store's schema is at {current or 'nothing'}, not "
                            f"{_migrate.head_revision()}: run ProfileStore(...).upgrade() "
                            "or open it with upgrade=True."
                        )
        except BaseException:
            await engine.dispose()
            raise
        self._engine = engine

    async def upgrade(self) -> None:
        """Apply the packaged migrations up to this version's head (idempotent)."""
        engine = self._engine
        if engine is None:
            engine = build_engine(self._url, self._engine_options)
        try:
            with db_errors(f"upgrade the store at {self.url}"):
                await _migrate.upgrade(engine)
        finally:
            if engine is not self._engine:
                await engine.dispose()

    async def aclose(self) -> None:
        """Wait for bookkeeping still running, then close the engine (idempotent)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

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
        return f"<ProfileStore url={self.url!r} pii={self.pii!r}>"

    def _engine_or_raise(self) -> AsyncEngine:
        if self._engine is None:
            raise StoreError("The store is not open: use 'async with ProfileStore(...)'.")
        return self._engine

    def _write(
        self, clock: DbClock, action: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        return transaction(self._engine_or_raise(), self._write_lock, clock, action)

    def _read(
        self, clock: DbClock, action: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        return transaction(self._engine_or_raise(), None, clock, action)

    # -- reading ------------------------------------------------------------------------------

    async def load_profile(self, end_user_id: str) -> PayrollProfile | None:
        """The user's profile rebuilt from the database, or ``None`` if never synced.

        For a user synced completely, it equals what ``client.get_profile`` returned at the
        sync's moment: the same accounts, record ids, cents and summary (``fetched_at`` is
        when that sync started). A resource whose last read failed shows the data of the read
        before it, with its status saying it failed.
        """
        path_id(end_user_id, "end_user_id")
        async with self._read(self._clock, "load a profile") as connection:
            return await load_profile(connection, end_user_id)

    async def runs(
        self, *, end_user_id: str | None = None, batch_id: str | None = None, limit: int = 100
    ) -> list[RunRecord]:
        """Rows of the runs table, newest first, optionally for one user or one batch."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInputError("limit must be an int >= 1.")
        async with self._read(self._clock, "read the runs") as connection:
            return await read_runs(
                connection, end_user_id=end_user_id, batch_id=batch_id, limit=limit
            )

    async def batch_progress(self, batch_id: str) -> dict[str, int]:
        """Runs of a batch by status: ``{"complete": 812, "running": 20, "failed": 3}``."""
        async with self._read(self._clock, "read a batch's progress") as connection:
            return await run_counts(connection, batch_id)

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
        result = await self._sync(client, end_user_id, full=full, batch_id=batch_id)
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
        """Sync many users, at most ``concurrency`` at once; yield each user's result as it
        finishes (not in input order).

        Never raises for one user: a user that failed is a result with ``status="failed"``
        and ``error`` set. ``on_progress(done, total)`` is called after each user (``total``
        is ``None`` when ``end_user_ids`` has no length). Leaving the loop early cancels the
        syncs in progress; their unfinished accounts roll back and the next sync completes
        them.
        """
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidInputError("concurrency must be an int >= 1.")
        self._engine_or_raise()
        total = len(end_user_ids) if isinstance(end_user_ids, Sized) else None
        ids: Iterator[str] = iter(end_user_ids)
        pending: set[asyncio.Task[SyncResult]] = set()
        done = 0

        async def one(end_user_id: str) -> SyncResult:
            try:
                path_id(end_user_id, "end_user_id")
            except InvalidInputError as exc:
                return _unrecorded(end_user_id, full, exc)
            try:
                return await self._sync(client, end_user_id, full=full, batch_id=batch_id)
            except PayrollError as exc:  # the run itself could not be recorded
                return _unrecorded(end_user_id, full, exc)

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
                refill()
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

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
                result = await self._sync(
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
        result = await self._sync(client, user, full=False, batch_id=None, trigger="webhook")
        if result.error is not None:
            raise result.error
        return result

    async def _stored_account(self, account_id: str) -> tuple[PayrollAccount, str] | None:
        async with self._read(self._clock, "look up an account") as connection:
            row = (
                await connection.execute(
                    select(ACCOUNTS.c.data, ACCOUNTS.c.end_user_id).where(
                        ACCOUNTS.c.id == account_id
                    )
                )
            ).one_or_none()
        if row is None:
            return None
        return PayrollAccount.model_validate_json(row.data), row.end_user_id

    # -- one sync -----------------------------------------------------------------------------

    async def _sync(
        self,
        client: PayrollClient,
        end_user_id: str,
        *,
        full: bool,
        batch_id: str | None,
        trigger: str = "sync",
        only: tuple[PayrollAccount, frozenset[ResourceName]] | None = None,
    ) -> SyncResult:
        clock = DbClock(self._clock)
        started = _now()
        tally = _Tally()
        # The run's own bookkeeping is shielded from cancellation and finished in the
        # background if the sync is cancelled meanwhile, so no row is left "running" by a
        # cancellation (only by a killed process).
        starting = asyncio.ensure_future(
            self._start(clock, end_user_id, batch_id, trigger, full, started)
        )
        try:
            run_id = await asyncio.shield(starting)
        except asyncio.CancelledError:
            self._in_background(self._cancel_started(starting, end_user_id, tally))
            raise
        error: PayrollError | None = None
        try:
            if only is None:
                await self._sync_user(client, end_user_id, full, clock, started, tally)
            else:
                account, wanted = only
                tally.accounts = 1
                await self._sync_account(client, account, wanted, full, None, clock, started, tally)
        except PayrollError as exc:
            error = exc
        except asyncio.CancelledError:
            # The accounts not yet written rolled back; the run says it was cancelled.
            self._in_background(self._finish(run_id, "cancelled", end_user_id, tally))
            raise
        status: RunStatus = "failed" if error else "partial" if tally.problems else "complete"
        finishing = asyncio.ensure_future(
            self._finish(
                run_id, status, end_user_id, tally, error=error, synced_at=started, clock=clock
            )
        )
        try:
            finished = await asyncio.shield(finishing)
        except asyncio.CancelledError:
            self._in_background(finishing)
            raise
        return SyncResult(
            end_user_id=end_user_id,
            run_id=run_id,
            status="failed" if error else "partial" if tally.problems else "complete",
            full=full,
            accounts=tally.accounts,
            added=tally.counts.added,
            updated=tally.counts.updated,
            requests=tally.requests,
            started_at=started,
            finished_at=finished,
            db_seconds=clock.seconds,
            problems=tally.problems,
            error=error,
        )

    def _in_background(self, work: Awaitable[Any]) -> None:
        """Run bookkeeping to its end even though the sync was cancelled; ``aclose`` waits."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _start(
        self,
        clock: DbClock,
        end_user_id: str,
        batch_id: str | None,
        trigger: str,
        full: bool,
        started: datetime,
    ) -> int:
        async with self._write(clock, "record a run") as connection:
            return await start_run(
                connection,
                end_user_id=end_user_id,
                batch_id=batch_id,
                trigger=trigger,
                full=full,
                started_at=started,
            )

    async def _cancel_started(
        self, starting: asyncio.Future[int], end_user_id: str, tally: _Tally
    ) -> None:
        run_id = await starting
        await self._finish(run_id, "cancelled", end_user_id, tally)

    async def _finish(
        self,
        run_id: int,
        status: RunStatus,
        end_user_id: str,
        tally: _Tally,
        *,
        error: PayrollError | None = None,
        synced_at: datetime | None = None,
        clock: DbClock | None = None,
    ) -> datetime:
        finished = _now()
        async with self._write(clock or DbClock(self._clock), "record a run") as connection:
            await finish_run(
                connection,
                run_id,
                status=status,
                finished_at=finished,
                accounts=tally.accounts,
                added=tally.counts.added,
                updated=tally.counts.updated,
                requests=tally.requests,
                problems=tally.problems,
                error=failure_reason(error) if error is not None else None,
            )
            if error is None and tally.listed is not None and synced_at is not None:
                # The accounts listing succeeded and every account was written: this is now
                # the moment the stored profile describes.
                await mark_unlisted(connection, end_user_id, tally.listed)
                await _upsert_end_user(connection, end_user_id, synced_at, run_id)
        return finished

    async def _sync_user(
        self,
        client: PayrollClient,
        end_user_id: str,
        full: bool,
        clock: DbClock,
        now: datetime,
        tally: _Tally,
    ) -> None:
        accounts: list[PayrollAccount] = []
        try:
            async for page in client.accounts.list_for_end_user(end_user_id).pages():
                tally.requests += page.attempts
                accounts.extend(page.data)
        except PayrollError as exc:
            tally.requests += getattr(exc, "attempts", 1)
            raise
        accounts = _unique_by_id(accounts)
        tally.accounts = len(accounts)
        ids = [str(a.id) for a in accounts]
        watermarks: dict[tuple[str, str], date | None] = {}
        if not full and ids:
            async with self._read(clock, "read watermarks") as connection:
                stored = await stored_resources(connection, ids)
            watermarks = {key: value.watermark for key, value in stored.items()}
        try:
            async with asyncio.TaskGroup() as group:
                for position, account in enumerate(accounts):
                    since = {
                        name: mark - self.overlap
                        for name in LIST_RESOURCES
                        if (mark := watermarks.get((str(account.id), name))) is not None
                    }
                    group.create_task(
                        self._sync_account(
                            client,
                            account,
                            _ALL,
                            full,
                            (end_user_id, position),
                            clock,
                            now,
                            tally,
                            since=since,
                        )
                    )
        except BaseExceptionGroup as failure:
            raise _first_error(failure) from None
        tally.listed = ids

    async def _sync_account(
        self,
        client: PayrollClient,
        account: PayrollAccount,
        wanted: frozenset[ResourceName],
        full: bool,
        listing: tuple[str, int] | None,
        clock: DbClock,
        now: datetime,
        tally: _Tally,
        *,
        since: dict[ResourceName, date] | None = None,
    ) -> None:
        if since is None and not full:
            async with self._read(clock, "read watermarks") as connection:
                stored = await stored_resources(connection, [str(account.id)])
            since = {
                name: value.watermark - self.overlap
                for (_, name), value in stored.items()
                if name in LIST_RESOURCES and name in wanted and value.watermark is not None
            }
        since = since or {}
        fetched = await fetch_account(client, account, wanted, (None, None), since)
        tally.requests += sum(fetched.status[name].attempts for name in wanted)
        async with self._write(clock, "write an account") as connection:
            counts = await write_account(
                connection,
                fetched,
                wanted=[name for name in RESOURCE_NAMES if name in wanted],
                incremental={name: name in since for name in LIST_RESOURCES},
                listing=listing,
                now=now,
                pii=self.pii,
            )
        # Counted once committed: a rolled-back account changed nothing.
        tally.counts += counts
        tally.problems.extend(
            Problem(
                account_id=str(account.id),
                resource=name,
                state=fetched.status[name].state,
                reason=fetched.status[name].reason,
            )
            for name in RESOURCE_NAMES
            if name in wanted and fetched.status[name].state in ("failed", "partial")
        )


async def _upsert_end_user(
    connection: AsyncConnection, end_user_id: str, synced_at: datetime, run_id: int
) -> None:
    from ._write import _insert

    statement = _insert(connection, END_USERS).values(
        end_user_id=end_user_id, synced_at=synced_at, last_run_id=run_id
    )
    statement = statement.on_conflict_do_update(
        index_elements=["end_user_id"],
        set_={"synced_at": statement.excluded.synced_at, "last_run_id": run_id},
    )
    await connection.execute(statement)


def _unrecorded(end_user_id: str, full: bool, error: PayrollError) -> SyncResult:
    moment = _now()
    return SyncResult(
        end_user_id=end_user_id,
        run_id=None,
        status="failed",
        full=full,
        accounts=0,
        added=0,
        updated=0,
        requests=0,
        started_at=moment,
        finished_at=moment,
        db_seconds=0.0,
        error=error,
    )
