"""One sync of one end user: its run row, its accounts listing, its account transactions.

``run_sync`` is what ``ProfileStore.sync``, ``sync_many`` and ``apply`` call. The steps, and
why they are ordered so, are in docs/store.md ("What a sync does", "Crash safety").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from .._dedup import unique_by_id
from .._exceptions import PayrollError
from ..aggregation._fetch import _first_error, fetch_account
from ..aggregation._outcome import failure_reason
from ..models import PayrollAccount
from ..models._tolerant import UnreadableRecord
from ..models.profile import RESOURCE_NAMES, FailureReason, Problem, ResourceName
from ._db import DbClock
from ._records import RunStatus, SyncResult
from ._runs import finish_run, start_run
from ._schema import END_USERS
from ._write import (
    LIST_RESOURCES,
    AccountPlan,
    Counts,
    StoredAccount,
    apply_plan,
    ids_to_look_up,
    insert_for,
    mark_unlisted,
    plan_account,
    read_digests,
    read_state,
)

if TYPE_CHECKING:
    from .._client import PayrollClient
    from ._store import ProfileStore

__all__ = ["retrieved", "run_sync", "unrecorded"]

_ALL = frozenset(RESOURCE_NAMES)


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
    unreadable_accounts: list[UnreadableRecord] = field(default_factory=list)


async def run_sync(
    store: ProfileStore,
    client: PayrollClient,
    end_user_id: str,
    *,
    full: bool,
    batch_id: str | None,
    trigger: str = "sync",
    only: tuple[PayrollAccount, frozenset[ResourceName]] | None = None,
    fetching: asyncio.Semaphore | None = None,
) -> SyncResult:
    """Sync one user. ``fetching`` (``sync_many``) bounds the users read from the API at once:
    it is held while the user's requests are made, not while the run row, the stored state or
    the accounts' writes are waited for, so a slow database never idles a fetch slot."""
    clock = DbClock(store._clock)
    started = _now()
    tally = _Tally()
    # The run's own bookkeeping is shielded from cancellation and finished in the
    # background if the sync is cancelled meanwhile, so no row is left "running" by a
    # cancellation (only by a killed process).
    starting = asyncio.ensure_future(
        _start(store, clock, end_user_id, batch_id, trigger, full, started)
    )
    try:
        run_id = await asyncio.shield(starting)
    except asyncio.CancelledError:
        store._in_background(_cancel_started(store, starting, end_user_id, tally))
        raise
    error: PayrollError | None = None
    writes = _Writes(store, clock)
    try:
        try:
            async with _Slot(fetching) as slot:
                if only is None:
                    await _sync_user(
                        store, client, end_user_id, full, clock, started, tally, writes, slot
                    )
                else:
                    account, wanted = only
                    tally.accounts = 1
                    await _sync_account(
                        store, client, account, wanted, full, None, clock, started, tally, writes
                    )
        except PayrollError as exc:
            error = exc
        # What was read and submitted is written even if a later read failed.
        written_error = await writes.settle(tally)
        error = error or written_error
    except asyncio.CancelledError:
        # The accounts not yet written rolled back; the run says it was cancelled.
        writes.abandon()
        store._in_background(_finish(store, run_id, "cancelled", end_user_id, tally))
        raise
    status: RunStatus = "failed" if error else "partial" if tally.problems else "complete"
    finishing = asyncio.ensure_future(
        _finish(
            store, run_id, status, end_user_id, tally, error=error, synced_at=started, clock=clock
        )
    )
    try:
        finished = await asyncio.shield(finishing)
    except asyncio.CancelledError:
        store._in_background(finishing)
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


async def _start(
    store: ProfileStore,
    clock: DbClock,
    end_user_id: str,
    batch_id: str | None,
    trigger: str,
    full: bool,
    started: datetime,
) -> int:
    return await store._db(
        partial(
            start_run,
            end_user_id=end_user_id,
            batch_id=batch_id,
            trigger=trigger,
            full=full,
            started_at=started,
        ),
        action="record a run",
        write=True,
        clock=clock,
    )


async def _cancel_started(
    store: ProfileStore, starting: asyncio.Future[int], end_user_id: str, tally: _Tally
) -> None:
    run_id = await starting
    await _finish(store, run_id, "cancelled", end_user_id, tally)


async def _finish(
    store: ProfileStore,
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
    # The listing succeeded and every account was written: the stored profile now describes
    # the sync's moment (unlisted accounts are marked, the user's row moves on).
    completed = error is None and tally.listed is not None and synced_at is not None
    write = partial(
        _write_finish,
        run_id=run_id,
        status=status,
        finished_at=finished,
        accounts=tally.accounts,
        counts=Counts(tally.counts.added, tally.counts.updated),
        requests=tally.requests,
        problems=list(tally.problems),
        error=failure_reason(error) if error is not None else None,
        completed=(end_user_id, tally.listed or [], synced_at, tally.unreadable_accounts)
        if completed and synced_at is not None
        else None,
    )
    await store._db(write, action="record a run", write=True, clock=clock)
    return finished


async def _sync_user(
    store: ProfileStore,
    client: PayrollClient,
    end_user_id: str,
    full: bool,
    clock: DbClock,
    now: datetime,
    tally: _Tally,
    writes: _Writes,
    slot: _Slot,
) -> None:
    accounts: list[PayrollAccount] = []
    try:
        async for page in client.accounts.list_for_end_user(end_user_id).pages():
            tally.requests += page.attempts
            accounts.extend(page.data)
            tally.unreadable_accounts.extend(page.unreadable)
    except PayrollError as exc:
        tally.requests += getattr(exc, "attempts", 1)
        raise
    accounts = unique_by_id(accounts)
    tally.accounts = len(accounts)
    ids = [str(a.id) for a in accounts]
    # What is stored for these accounts, read once: the watermarks to read the lists from, and
    # what each account's write is compared with.
    states = {}
    if ids:
        async with slot.lent():  # a read of the database: the fetch slot is free meanwhile
            states = await store._db(
                partial(read_state, account_ids=ids, overlap=None if full else store.overlap),
                action="read stored accounts",
                clock=clock,
            )
    try:
        async with asyncio.TaskGroup() as group:
            for position, account in enumerate(accounts):
                group.create_task(
                    _sync_account(
                        store,
                        client,
                        account,
                        _ALL,
                        full,
                        (end_user_id, position),
                        clock,
                        now,
                        tally,
                        writes,
                        stored=states[str(account.id)],
                    )
                )
    except BaseExceptionGroup as failure:
        raise _first_error(failure) from None
    tally.listed = ids


async def _sync_account(
    store: ProfileStore,
    client: PayrollClient,
    account: PayrollAccount,
    wanted: frozenset[ResourceName],
    full: bool,
    listing: tuple[str, int] | None,
    clock: DbClock,
    now: datetime,
    tally: _Tally,
    writes: _Writes,
    *,
    stored: StoredAccount | None = None,
) -> None:
    """Read one account and submit its write (``writes``); its counts and problems reach
    ``tally`` once the write is committed."""
    account_id = str(account.id)
    if stored is None:
        states = await store._db(
            partial(read_state, account_ids=[account_id], overlap=None if full else store.overlap),
            action="read stored accounts",
            clock=clock,
        )
        stored = states[account_id]
    since: dict[ResourceName, date] = {}
    if not full:
        for name in LIST_RESOURCES:
            mark = stored.watermark(name)
            if name in wanted and mark is not None:
                since[name] = mark - store.overlap
    fetched = await fetch_account(client, account, wanted, (None, None), since)
    tally.requests += sum(fetched.status[name].attempts for name in wanted)
    resources = [name for name in RESOURCE_NAMES if name in wanted]
    # Stored digests that read_state did not bring (records older than the overlap that the
    # API sent again): one read. None in a first sync, nor for an unchanged incremental one.
    wanted_ids = ids_to_look_up(stored, resources, fetched)
    looked_up = (
        await store._db(
            partial(read_digests, wanted_ids=wanted_ids),
            action="read stored records",
            clock=clock,
        )
        if wanted_ids
        else None
    )
    plan = plan_account(
        fetched,
        stored,
        wanted=resources,
        incremental={name: name in since for name in LIST_RESOURCES},
        listing=listing,
        now=now,
        pii=store.pii,
        looked_up=looked_up,
    )
    problems = [
        Problem(
            account_id=str(account.id),
            resource=name,
            state=fetched.status[name].state,
            reason=fetched.status[name].reason,
        )
        for name in RESOURCE_NAMES
        if name in wanted and fetched.status[name].state in ("failed", "partial")
    ]
    # An account whose data did not change costs no write.
    writes.submit(None if plan.empty else plan, plan.counts, problems)


class _Slot:
    """A user's place among those read from the API at once (``sync_many``'s semaphore;
    none for a single sync), which it can lend while it waits for the database."""

    def __init__(self, semaphore: asyncio.Semaphore | None) -> None:
        self._semaphore = semaphore
        self._held = False

    async def __aenter__(self) -> _Slot:
        await self._acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    async def _acquire(self) -> None:
        if self._semaphore is not None:
            await self._semaphore.acquire()  # cancelled here: nothing was taken
            self._held = True

    def _release(self) -> None:
        if self._held:
            self._held = False
            assert self._semaphore is not None
            self._semaphore.release()

    @contextlib.asynccontextmanager
    async def lent(self) -> AsyncIterator[None]:
        """Give the place up for the block, then wait for one again (not when the block
        raised: a sync that is ending, or cancelled, needs no place)."""
        self._release()
        yield
        await self._acquire()


class _Writes:
    """The accounts' writes of one sync: submitted as each account is read, waited for once
    every account is read (``settle``), so the user's fetch slot is free meanwhile."""

    def __init__(self, store: ProfileStore, clock: DbClock) -> None:
        self._store = store
        self._clock = clock
        self._submitted: list[tuple[asyncio.Future[None] | None, Counts, list[Problem]]] = []

    def submit(self, plan: AccountPlan | None, counts: Counts, problems: list[Problem]) -> None:
        write = (
            asyncio.ensure_future(
                self._store._db(
                    partial(apply_plan, plan=plan),
                    action="write an account",
                    write=True,
                    clock=self._clock,
                )
            )
            if plan is not None
            else None
        )
        self._submitted.append((write, counts, problems))

    async def settle(self, tally: _Tally) -> PayrollError | None:
        """Wait for every write; count what was committed (a rolled-back account changed
        nothing) and return the first write's error."""
        first: PayrollError | None = None
        while self._submitted:
            write, counts, problems = self._submitted.pop(0)
            if write is not None:
                try:
                    await write
                except PayrollError as exc:
                    first = first or exc
                    continue
            tally.counts += counts
            tally.problems.extend(problems)
        return first

    def abandon(self) -> None:
        """The sync was cancelled: stop waiting (a write in progress still ends whole)."""
        for write, _, _ in self._submitted:
            if write is not None:
                write.cancel()
                write.add_done_callback(retrieved)
        self._submitted.clear()


def retrieved(done: asyncio.Future[Any]) -> None:
    """Mark an outcome seen that nobody waits for any more (a cancelled sync's write)."""
    if not done.cancelled():
        done.exception()


def _write_finish(
    connection: Connection,
    *,
    run_id: int,
    status: RunStatus,
    finished_at: datetime,
    accounts: int,
    counts: Counts,
    requests: int,
    problems: list[Problem],
    error: FailureReason | None,
    completed: tuple[str, list[str], datetime, list[UnreadableRecord]] | None,
) -> None:
    finish_run(
        connection,
        run_id,
        status=status,
        finished_at=finished_at,
        accounts=accounts,
        added=counts.added,
        updated=counts.updated,
        requests=requests,
        problems=problems,
        error=error,
    )
    if completed is not None:
        end_user_id, listed, synced_at, unreadable_accounts = completed
        mark_unlisted(connection, end_user_id, listed)
        _upsert_end_user(connection, end_user_id, synced_at, run_id, unreadable_accounts)


def _upsert_end_user(
    connection: Connection,
    end_user_id: str,
    synced_at: datetime,
    run_id: int,
    unreadable_accounts: list[UnreadableRecord],
) -> None:
    unreadable = (
        json.dumps([r.model_dump(mode="json") for r in unreadable_accounts])
        if unreadable_accounts
        else None
    )
    statement = insert_for(connection, END_USERS).values(
        end_user_id=end_user_id,
        synced_at=synced_at,
        last_run_id=run_id,
        unreadable_accounts=unreadable,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["end_user_id"],
        set_={
            "synced_at": statement.excluded.synced_at,
            "last_run_id": run_id,
            "unreadable_accounts": statement.excluded.unreadable_accounts,
        },
    )
    connection.execute(statement)


def unrecorded(end_user_id: str, full: bool, error: PayrollError) -> SyncResult:
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
