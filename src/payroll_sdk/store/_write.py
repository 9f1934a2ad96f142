"""Writing one account's fetch: upserts keyed by the API's ids, inside the caller's transaction.

The caller (``_store.py``) opens one transaction per account and calls :func:`write_account`
in it, so an account is stored whole or not at all: a sync cancelled or killed half-way leaves
every account either as it was before or as this sync read it, and the next sync completes it.

Rules (docs/store.md explains them):

- A record is keyed by its API id; its JSON's SHA-256 tells whether it changed. Unchanged
  records are not written at all; new ones count as ``added``, changed ones as ``updated``.
- A resource that fails keeps its stored data; its row records the failure. What a
  ``partial`` list did read is stored.
- A list's watermark (newest date stored from a complete read) moves only after a complete
  read: a full read sets it to the newest date read; an incremental read (from watermark minus
  the overlap) can only raise it. A failed or partial read leaves it where it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..models import Paystub, Shift
from ..models._base import PayrollModel
from ..models.profile import AccountProfile, ResourceName
from ._pii import PiiMode, mask
from ._schema import ACCOUNTS, PAYSTUBS, RESOURCES, SHIFTS

__all__ = ["LIST_RESOURCES", "SINGLE_RESOURCES", "Counts", "dump", "write_account"]

LIST_RESOURCES: Final[tuple[ResourceName, ...]] = ("paystubs", "shifts")
SINGLE_RESOURCES: Final[tuple[ResourceName, ...]] = (
    "income",
    "identity",
    "employment",
    "direct_deposit_allocations",
)
#: Ids per ``IN (...)`` lookup: well under SQLite's and asyncpg's parameter limits.
_CHUNK: Final = 500


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
    return model.model_dump_json(by_alias=True, exclude_unset=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _insert(connection: AsyncConnection, table: Table) -> Any:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise AssertionError(f"unsupported dialect {dialect}")  # refused when the store opens


async def _upsert(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert ``rows``, or overwrite the stored row with the same key (all columns in ``rows``
    but the key and ``first_seen_at``)."""
    if not rows:
        return
    statement = _insert(connection, table)
    replaced = [c for c in rows[0] if c not in keys and c != "first_seen_at"]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in replaced},
    )
    await connection.execute(statement, list(rows))


async def _stored_digests(
    connection: AsyncConnection, table: Table, ids: Sequence[str]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        result = await connection.execute(
            select(table.c.id, table.c.digest).where(table.c.id.in_(chunk))
        )
        found.update({row.id: row.digest for row in result})
    return found


async def _write_records(
    connection: AsyncConnection,
    table: Table,
    records: Iterable[Paystub | Shift],
    columns: Callable[[Any], dict[str, Any]],
    now: datetime,
    pii: PiiMode,
) -> Counts:
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        stored = mask(record) if pii == "mask" else record
        text = dump(stored)
        rows[record.id] = {
            "id": record.id,
            "account_id": record.account_id,
            **columns(record),
            "data": text,
            "digest": _digest(text),
            "first_seen_at": now,
            "updated_at": now,
        }
    stored_digests = await _stored_digests(connection, table, list(rows))
    counts = Counts()
    changed = []
    for record_id, row in rows.items():
        previous = stored_digests.get(record_id)
        if previous == row["digest"]:
            continue
        if previous is None:
            counts.added += 1
        else:
            counts.updated += 1
        changed.append(row)
    await _upsert(connection, table, changed, ["id"])
    return counts


def _paystub_columns(stub: Paystub) -> dict[str, Any]:
    return {
        "pay_date": stub.pay_date,
        "currency": stub.currency,
        "gross_pay_amount": stub.gross_pay_amount,
        "net_pay_amount": stub.net_pay_amount,
    }


def _shift_columns(shift: Shift) -> dict[str, Any]:
    return {"start_date": shift.start_date, "end_date": shift.end_date, "currency": shift.currency}


@dataclass(frozen=True, slots=True)
class StoredResource:
    """What the resources table held for one resource before this write."""

    digest: str | None
    watermark: date | None
    watermark_at: datetime | None


async def stored_resources(
    connection: AsyncConnection, account_ids: Sequence[str]
) -> dict[tuple[str, str], StoredResource]:
    """The stored digest and watermark of every resource of these accounts."""
    found: dict[tuple[str, str], StoredResource] = {}
    for start in range(0, len(account_ids), _CHUNK):
        chunk = account_ids[start : start + _CHUNK]
        result = await connection.execute(
            select(
                RESOURCES.c.account_id,
                RESOURCES.c.resource,
                RESOURCES.c.digest,
                RESOURCES.c.watermark,
                RESOURCES.c.watermark_at,
            ).where(RESOURCES.c.account_id.in_(chunk))
        )
        for row in result:
            found[(row.account_id, row.resource)] = StoredResource(
                row.digest, row.watermark, row.watermark_at
            )
    return found


async def write_account(
    connection: AsyncConnection,
    fetched: AccountProfile,
    *,
    wanted: Iterable[ResourceName],
    incremental: Mapping[ResourceName, bool],
    listing: tuple[str, int] | None,
    now: datetime,
    pii: PiiMode,
) -> Counts:
    """Store one account's fetch (see the module docstring for the rules).

    ``listing`` is ``(end_user_id, position)`` when the account came from this sync's accounts
    listing (its row is then written too); ``incremental[name]`` says a list was read from its
    watermark minus the overlap rather than in full.
    """
    account_id = str(fetched.account.id)
    counts = Counts()
    if listing is not None:
        counts += await _write_account_row(connection, fetched, listing, now)
    stored = {
        resource: value
        for (_, resource), value in (await stored_resources(connection, [account_id])).items()
    }
    rows: list[dict[str, Any]] = []
    for name in wanted:
        status = fetched.status[name]
        previous = stored.get(name)
        row: dict[str, Any] = {
            "account_id": account_id,
            "resource": name,
            "state": status.state,
            "data": None,
            "digest": None,
            "reason": status.reason.model_dump_json() if status.reason is not None else None,
            "refreshed_at": status.refreshed_at,
            "attempts": status.attempts,
            "pages": status.pages,
            "watermark": previous.watermark if previous is not None else None,
            "watermark_at": previous.watermark_at if previous is not None else None,
            "synced_at": now,
        }
        if name in SINGLE_RESOURCES:
            value: PayrollModel | None = getattr(fetched, name)
            if status.state == "ok" and value is not None:
                text = dump(mask(value) if pii == "mask" else value)
                row["data"], row["digest"] = text, _digest(text)
                if previous is None or previous.digest is None:
                    counts.added += 1
                elif previous.digest != row["digest"]:
                    counts.updated += 1
        else:
            counts += await _write_list(connection, fetched, name, now, pii)
            if status.state == "ok":
                newest = _newest(fetched, name)
                if not incremental.get(name, False):
                    row["watermark"] = newest
                elif newest is not None:
                    row["watermark"] = max(d for d in (newest, row["watermark"]) if d is not None)
                row["watermark_at"] = now if row["watermark"] is not None else None
        rows.append(row)
    await _upsert_resources(connection, rows)
    return counts


async def _write_account_row(
    connection: AsyncConnection, fetched: AccountProfile, listing: tuple[str, int], now: datetime
) -> Counts:
    account_id = str(fetched.account.id)
    end_user_id, position = listing
    text = dump(fetched.account)
    digest = _digest(text)
    previous = (
        await connection.execute(select(ACCOUNTS.c.digest).where(ACCOUNTS.c.id == account_id))
    ).scalar_one_or_none()
    row = {
        "id": account_id,
        "end_user_id": end_user_id,
        "position": position,
        "listed": True,
        "data": text,
        "digest": digest,
        "first_seen_at": now,
        "synced_at": now,
    }
    await _upsert(connection, ACCOUNTS, [row], ["id"])
    if previous is None:
        return Counts(added=1)
    return Counts(updated=1) if previous != digest else Counts()


async def _write_list(
    connection: AsyncConnection,
    fetched: AccountProfile,
    name: ResourceName,
    now: datetime,
    pii: PiiMode,
) -> Counts:
    if name == "paystubs":
        return await _write_records(
            connection, PAYSTUBS, fetched.paystubs, _paystub_columns, now, pii
        )
    return await _write_records(connection, SHIFTS, fetched.shifts, _shift_columns, now, pii)


def _newest(fetched: AccountProfile, name: ResourceName) -> date | None:
    if name == "paystubs":
        return max((stub.pay_date for stub in fetched.paystubs), default=None)
    return max((shift.end_date for shift in fetched.shifts), default=None)


async def _upsert_resources(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Upsert resource rows; a read that was not ``ok`` keeps the stored data and digest."""
    if not rows:
        return
    statement = _insert(connection, RESOURCES)
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
    statement = statement.on_conflict_do_update(
        index_elements=["account_id", "resource"], set_={**replaced, **kept}
    )
    await connection.execute(statement, rows)


async def mark_unlisted(
    connection: AsyncConnection, end_user_id: str, listed_ids: Sequence[str]
) -> None:
    """Accounts of the user the API no longer lists: kept, but out of the profile."""
    await connection.execute(
        update(ACCOUNTS)
        .where(ACCOUNTS.c.end_user_id == end_user_id, ACCOUNTS.c.id.not_in(listed_ids))
        .values(listed=False)
    )
