"""Writing one account's fetch: upserts keyed by the API's ids, one transaction per account.

Two steps. :func:`plan_account` reads what is stored for the fetched ids and works out what
changed (a read, no lock); :func:`apply_plan` writes exactly that in the caller's transaction,
so an account is stored whole or not at all: a sync cancelled or killed half-way leaves every
account either as it was or as this sync read it, and the next sync completes it. An account
whose data did not change costs no write at all, which is what keeps incremental syncs cheap.

Rules (docs/store.md explains them):

- A record is keyed by its API id; its JSON's SHA-256 tells whether it changed. Unchanged
  records are not written; new ones count as ``added``, changed ones as ``updated``.
- A resource that fails keeps its stored data; its row records the failure. What a
  ``partial`` list did read is stored.
- A list's watermark (newest date stored from a complete read) moves only after a complete
  read: a full read sets it to the newest date read; an incremental read (from watermark minus
  the overlap) can only raise it. A failed or partial read leaves it where it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import Paystub, Shift
from ..models._base import PayrollModel
from ..models._tolerant import UnreadableRecord
from ..models.profile import AccountProfile, ResourceName
from ._bulk import execute_many, execute_tuples
from ._pii import PiiMode, mask
from ._rows import PAYSTUB_COLUMNS, SHIFT_COLUMNS, RecordRows, pack_dicts, unpack_dicts
from ._schema import ACCOUNTS, PAYSTUBS, RESOURCES, SHIFTS

__all__ = [
    "LIST_RESOURCES",
    "SINGLE_RESOURCES",
    "AccountPlan",
    "Counts",
    "StoredAccount",
    "apply_plan",
    "dump",
    "ids_to_look_up",
    "mark_unlisted",
    "plan_account",
    "read_digests",
    "read_state",
]

LIST_RESOURCES: Final[tuple[ResourceName, ...]] = ("paystubs", "shifts")
SINGLE_RESOURCES: Final[tuple[ResourceName, ...]] = (
    "income",
    "identity",
    "employment",
    "direct_deposit_allocations",
)
#: Ids per ``IN (...)`` lookup: well under SQLite's and asyncpg's parameter limits.
_CHUNK: Final = 500
#: The resource columns compared to decide whether a resource row must be written.
_COMPARED: Final = (
    "state",
    "unreadable",
    "digest",
    "reason",
    "refreshed_at",
    "attempts",
    "pages",
    "watermark",
    "watermark_at",
)


@dataclass(slots=True)
class Counts:
    """Records inserted and records changed by one write."""

    added: int = 0
    updated: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.added += other.added
        self.updated += other.updated
        return self


def dump(model: PayrollModel) -> str:
    """The JSON a record is stored as: the fields the API sent (unknown ones included)."""
    return _dump_bytes(model).decode()


def _dump_bytes(model: PayrollModel) -> bytes:
    # What model_dump_json(by_alias=True, exclude_unset=True) returns, encoded, without its
    # Python wrapper (half of its cost per record in the issue 12 profile).
    return type(model).__pydantic_serializer__.to_json(model, by_alias=True, exclude_unset=True)


def _dumped(model: PayrollModel) -> tuple[str, str]:
    """The stored JSON of ``model`` and its digest."""
    raw = _dump_bytes(model)
    return raw.decode(), hashlib.sha256(raw).hexdigest()


def insert_for(connection: Connection, table: Table) -> Any:
    """The dialect's ``INSERT`` (both have ``on_conflict_do_update``)."""
    return _insert(connection.dialect.name, table)


def _insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise AssertionError(f"unsupported dialect {dialect}")  # refused when the store opens


# -- what is stored ---------------------------------------------------------------------------


@dataclass(slots=True)
class StoredAccount:
    """What the database held for one account before this sync: its row and its resources."""

    digest: str | None = None
    end_user_id: str | None = None
    position: int | None = None
    listed: bool | None = None
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per list read from its watermark: the stored digests of its records dated from the
    #: watermark minus the overlap (what an incremental read returns), by record id, read
    #: with the rest so that an unchanged account needs no query of its own.
    digests: dict[str, dict[str, str]] = field(default_factory=dict)

    def watermark(self, name: str) -> date | None:
        row = self.resources.get(name)
        return row["watermark"] if row is not None else None


def read_state(
    connection: Connection,
    account_ids: Sequence[str],
    overlap: timedelta | None = None,
) -> dict[str, StoredAccount]:
    """The stored account rows and resource rows of these accounts (two queries), and, with
    ``overlap`` (an incremental sync), the digests of each list's records dated from its
    watermark minus ``overlap`` (one query per list that has a watermark)."""
    found = {account_id: StoredAccount() for account_id in account_ids}
    for start in range(0, len(account_ids), _CHUNK):
        chunk = account_ids[start : start + _CHUNK]
        accounts = connection.execute(
            select(
                ACCOUNTS.c.id,
                ACCOUNTS.c.digest,
                ACCOUNTS.c.end_user_id,
                ACCOUNTS.c.position,
                ACCOUNTS.c.listed,
            ).where(ACCOUNTS.c.id.in_(chunk))
        )
        for row in accounts:
            stored = found[row.id]
            stored.digest, stored.end_user_id = row.digest, row.end_user_id
            stored.position, stored.listed = row.position, row.listed
        columns = [RESOURCES.c[name] for name in ("account_id", "resource", *_COMPARED)]
        resources = connection.execute(select(*columns).where(RESOURCES.c.account_id.in_(chunk)))
        for row in resources:
            values = row._asdict()
            found[values.pop("account_id")].resources[values.pop("resource")] = values
        if overlap is not None:
            for name in LIST_RESOURCES:
                _read_digests(connection, [found[a] for a in chunk], chunk, name, overlap)
    return found


def _read_digests(
    connection: Connection,
    stored: Sequence[StoredAccount],
    account_ids: Sequence[str],
    name: str,
    overlap: timedelta,
) -> None:
    """Fill ``digests[name]`` of the accounts whose list ``name`` has a watermark."""
    since = {
        account_id: mark - overlap
        for account_id, account in zip(account_ids, stored, strict=True)
        if (mark := account.watermark(name)) is not None
    }
    if not since:
        return
    table = PAYSTUBS if name == "paystubs" else SHIFTS
    dated = table.c.pay_date if name == "paystubs" else table.c.end_date
    by_id = dict(zip(account_ids, stored, strict=True))
    for account_id in since:
        by_id[account_id].digests[name] = {}
    result = connection.execute(
        select(table.c.account_id, table.c.id, table.c.digest, dated).where(
            table.c.account_id.in_(list(since)), dated >= min(since.values())
        )
    )
    for account_id, record_id, digest, day in result:
        if day >= since[account_id]:
            by_id[account_id].digests[name][record_id] = digest


# -- what to write ----------------------------------------------------------------------------


@dataclass(slots=True)
class AccountPlan:
    """The rows one account's write consists of, and what they count for. It crosses to the
    database process when there is one (``_rows.py``: column by column)."""

    account_row: dict[str, Any] | None = None
    resource_rows: list[dict[str, Any]] = field(default_factory=list)
    paystub_rows: RecordRows = field(default_factory=lambda: RecordRows(PAYSTUB_COLUMNS))
    shift_rows: RecordRows = field(default_factory=lambda: RecordRows(SHIFT_COLUMNS))
    counts: Counts = field(default_factory=Counts)

    @property
    def empty(self) -> bool:
        return not (self.account_row or self.resource_rows or self.paystub_rows or self.shift_rows)

    def __getstate__(self) -> tuple[Any, ...]:
        rows = [self.account_row] if self.account_row is not None else []
        return (
            pack_dicts(rows),
            pack_dicts(self.resource_rows),
            self.paystub_rows,
            self.shift_rows,
            self.counts.added,
            self.counts.updated,
        )

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        account, resources, paystubs, shifts, added, updated = state
        accounts = unpack_dicts(account)
        self.account_row = accounts[0] if accounts else None
        self.resource_rows = unpack_dicts(resources)
        self.paystub_rows, self.shift_rows = paystubs, shifts
        self.counts = Counts(added, updated)


def ids_to_look_up(
    stored: StoredAccount, wanted: Iterable[ResourceName], fetched: AccountProfile
) -> dict[str, list[str]]:
    """Per list, the fetched record ids whose stored digest :func:`plan_account` needs and
    :func:`read_state` did not read (``stored.digests``); empty when nothing must be read.

    Only a list the account already has stored is compared: a list with no resource row has
    no records stored either (they are written in the same transaction)."""
    wanted_ids: dict[str, list[str]] = {}
    for name in wanted:
        if name not in LIST_RESOURCES or name not in stored.resources:
            continue
        records = _records(fetched, name)
        known = stored.digests.get(name)
        ids = (
            [r.id for r in records]
            if known is None
            else [r.id for r in records if r.id not in known]
        )
        if ids:
            wanted_ids[name] = ids
    return wanted_ids


def read_digests(
    connection: Connection, wanted_ids: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, str]]:
    """The stored digests of these record ids, per list (ids not stored are left out)."""
    found: dict[str, dict[str, str]] = {}
    for name, ids in wanted_ids.items():
        table = PAYSTUBS if name == "paystubs" else SHIFTS
        digests = found[name] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            result = connection.execute(
                select(table.c.id, table.c.digest).where(table.c.id.in_(chunk))
            )
            digests.update({row.id: row.digest for row in result})
    return found


def _records(fetched: AccountProfile, name: str) -> Sequence[Paystub | Shift]:
    return fetched.paystubs if name == "paystubs" else fetched.shifts


def plan_account(
    fetched: AccountProfile,
    stored: StoredAccount,
    *,
    wanted: Iterable[ResourceName],
    incremental: Mapping[ResourceName, bool],
    listing: tuple[str, int] | None,
    now: datetime,
    pii: PiiMode,
    looked_up: Mapping[str, Mapping[str, str]] | None = None,
) -> AccountPlan:
    """What to write for one account's fetch, given what was stored (see the module docstring).

    ``listing`` is ``(end_user_id, position)`` when the account came from this sync's accounts
    listing (its row is then written if it changed); ``incremental[name]`` says a list was read
    from its watermark minus the overlap rather than in full. ``looked_up``: the stored
    digests :func:`read_digests` read for :func:`ids_to_look_up`'s ids (a pure function: it
    reads nothing itself, so it runs where the fetch was parsed).
    """
    plan = AccountPlan()
    account_id = str(fetched.account.id)
    if listing is not None:
        _plan_account_row(plan, fetched, stored, listing, now)
    for name in wanted:
        if name in LIST_RESOURCES:
            # What is stored of this list, by id: the digests read with the state and those
            # looked up since; none at all when the list has no resource row stored.
            digests: dict[str, str] = {}
            if name in stored.resources:
                digests.update(stored.digests.get(name, {}))
                digests.update((looked_up or {}).get(name, {}))
            if name == "paystubs":
                plan.paystub_rows, counts = _plan_records(
                    fetched.paystubs, PAYSTUB_COLUMNS, _paystub_values, now, pii, digests
                )
            else:
                plan.shift_rows, counts = _plan_records(
                    fetched.shifts, SHIFT_COLUMNS, _shift_values, now, pii, digests
                )
            plan.counts += counts
        row = _resource_row(fetched, name, stored.resources.get(name), incremental, now, pii)
        previous = stored.resources.get(name)
        if name in SINGLE_RESOURCES and row["digest"] is not None:
            if previous is None or previous["digest"] is None:
                plan.counts.added += 1
            elif previous["digest"] != row["digest"]:
                plan.counts.updated += 1
        if previous is None or any(
            row[key] != previous[key] for key in _COMPARED if key != "digest" or row[key]
        ):
            row["account_id"] = account_id
            plan.resource_rows.append(row)
    return plan


def _plan_account_row(
    plan: AccountPlan,
    fetched: AccountProfile,
    stored: StoredAccount,
    listing: tuple[str, int],
    now: datetime,
) -> None:
    end_user_id, position = listing
    text, digest = _dumped(fetched.account)
    if stored.digest is None:
        plan.counts.added += 1
    elif stored.digest != digest:
        plan.counts.updated += 1
    elif (stored.end_user_id, stored.position, stored.listed) == (end_user_id, position, True):
        return
    plan.account_row = {
        "id": str(fetched.account.id),
        "end_user_id": end_user_id,
        "position": position,
        "listed": True,
        "data": text,
        "digest": digest,
        "first_seen_at": now,
        "updated_at": now,
    }


def _resource_row(
    fetched: AccountProfile,
    name: ResourceName,
    previous: dict[str, Any] | None,
    incremental: Mapping[ResourceName, bool],
    now: datetime,
    pii: PiiMode,
) -> dict[str, Any]:
    status = fetched.status[name]
    row: dict[str, Any] = {
        "resource": name,
        "state": status.state,
        "data": None,
        "digest": None,
        "reason": status.reason.model_dump_json() if status.reason is not None else None,
        "refreshed_at": status.refreshed_at,
        "attempts": status.attempts,
        "pages": status.pages,
        "watermark": previous["watermark"] if previous is not None else None,
        "watermark_at": previous["watermark_at"] if previous is not None else None,
        "unreadable": _unreadable(fetched, name, previous, incremental),
        "updated_at": now,
    }
    if name in SINGLE_RESOURCES:
        value: PayrollModel | None = getattr(fetched, name)
        if status.state == "ok" and value is not None:
            row["data"], row["digest"] = _dumped(mask(value) if pii == "mask" else value)
    elif status.state == "ok":
        newest = _newest(fetched, name)
        old = row["watermark"]
        mark = (
            newest
            if not incremental.get(name, False)
            else max((d for d in (newest, old) if d is not None), default=None)
        )
        if mark != old:
            row["watermark"], row["watermark_at"] = mark, now if mark is not None else None
    return row


def _unreadable(
    fetched: AccountProfile,
    name: ResourceName,
    previous: dict[str, Any] | None,
    incremental: Mapping[ResourceName, bool],
) -> str | None:
    """The raw records of a list that could not be read, as JSON, kept across syncs.

    A complete full read says which are unreadable now; any other read only adds to what was
    kept (minus records this read could read after all), because it did not see the rest.
    """
    new = fetched.unreadable.get(name, [])
    status = fetched.status[name]
    kept: list[UnreadableRecord] = []
    if name in LIST_RESOURCES and not (status.state == "ok" and not incremental.get(name)):
        stored = previous["unreadable"] if previous is not None else None
        readable = {r.id for r in (fetched.paystubs if name == "paystubs" else fetched.shifts)}
        kept = [
            record
            for record in (UnreadableRecord.model_validate(x) for x in json.loads(stored or "[]"))
            if record.id is None or record.id not in readable
        ]
    seen: set[str] = set()
    merged = []
    for record in [*new, *kept]:
        key = record.id or json.dumps(record.raw, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            merged.append(record.model_dump(mode="json"))
    return json.dumps(merged) if merged else None


def _plan_records(
    records: Iterable[Paystub | Shift],
    columns: tuple[str, ...],
    values: Callable[[Any], tuple[Any, ...]],
    now: datetime,
    pii: PiiMode,
    stored: Mapping[str, str],
) -> tuple[RecordRows, Counts]:
    """The rows of ``records`` that are new or changed, given the stored digests by id.

    With nothing stored to compare with (a first sync of the list), a row keeps its JSON's
    bytes and no digest: whoever writes it computes the digest (``RecordRows.finished``)."""
    counts = Counts()
    changed: dict[str, tuple[Any, ...]] = {}
    for record in records:
        model = mask(record) if pii == "mask" else record
        if stored:
            text, digest = _dumped(model)
            if stored.get(record.id) == digest:
                changed.pop(record.id, None)  # a repeated id: the last read wins, as before
                continue
            changed[record.id] = (*values(record), text, digest, now, now)
        else:
            changed[record.id] = (*values(record), _dump_bytes(model), None, now, now)
    for record_id in changed:
        if stored.get(record_id) is None:
            counts.added += 1
        else:
            counts.updated += 1
    return RecordRows(columns, list(changed.values())), counts


def _paystub_values(stub: Paystub) -> tuple[Any, ...]:
    """A paystub's row up to its JSON, in ``PAYSTUB_COLUMNS`` order."""
    return (
        stub.id,
        stub.account_id,
        stub.pay_date,
        stub.currency,
        stub.gross_pay_amount,
        stub.net_pay_amount,
    )


def _shift_values(shift: Shift) -> tuple[Any, ...]:
    """A shift's row up to its JSON, in ``SHIFT_COLUMNS`` order."""
    return (shift.id, shift.account_id, shift.start_date, shift.end_date, shift.currency)


def _newest(fetched: AccountProfile, name: ResourceName) -> date | None:
    if name == "paystubs":
        return max((s.pay_date for s in fetched.paystubs if s.pay_date is not None), default=None)
    return max((s.end_date for s in fetched.shifts if s.end_date is not None), default=None)


# -- writing ----------------------------------------------------------------------------------


def apply_plan(connection: Connection, plan: AccountPlan) -> None:
    """Write a plan in the caller's transaction: the account row first (the resources refer
    to it), then the records, then the resource rows with their watermarks."""
    if plan.account_row is not None:
        _upsert(connection, ACCOUNTS, tuple(plan.account_row), [tuple(plan.account_row.values())])
    for table, records in ((PAYSTUBS, plan.paystub_rows), (SHIFTS, plan.shift_rows)):
        _upsert(connection, table, records.columns, records.finished())
    _upsert_resources(connection, plan.resource_rows)


def _upsert(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples of ``columns``), or overwrite the stored row with the same
    ``id`` (every column but ``id`` and ``first_seen_at``)."""
    if not rows:
        return
    dialect = connection.dialect.name

    def build() -> Any:
        statement = _insert(dialect, table)
        replaced = [c for c in columns if c not in ("id", "first_seen_at")]
        return statement.on_conflict_do_update(
            index_elements=["id"], set_={name: statement.excluded[name] for name in replaced}
        )

    execute_tuples(connection, table, ("upsert", table.name), build, columns, rows, unique=("id",))


def _upsert_resources(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Upsert resource rows; a read that was not ``ok`` keeps the stored data and digest."""
    if not rows:
        return
    dialect = connection.dialect.name

    def build() -> Any:
        statement = _insert(dialect, RESOURCES)
        excluded = statement.excluded
        kept = {
            # coalesce: a row written without data (a failure, a not_found, a list) keeps what
            # the last successful read stored.
            "data": func.coalesce(excluded.data, RESOURCES.c.data),
            "digest": func.coalesce(excluded.digest, RESOURCES.c.digest),
        }
        replaced = {
            name: excluded[name]
            for name in rows[0]
            if name not in ("account_id", "resource") and name not in kept
        }
        return statement.on_conflict_do_update(
            index_elements=["account_id", "resource"], set_={**replaced, **kept}
        )

    execute_many(
        connection,
        RESOURCES,
        "upsert resources",
        build,
        rows,
        unique=("account_id", "resource"),
    )


def mark_unlisted(connection: Connection, end_user_id: str, listed_ids: Sequence[str]) -> None:
    """Accounts of the user the API no longer lists: kept, but out of the profile."""
    connection.execute(
        update(ACCOUNTS)
        .where(
            ACCOUNTS.c.end_user_id == end_user_id,
            ACCOUNTS.c.id.not_in(listed_ids),
            ACCOUNTS.c.listed.is_(True),
        )
        .values(listed=False)
    )
