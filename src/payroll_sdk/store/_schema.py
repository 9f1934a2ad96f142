"""The store's tables, as SQLAlchemy Core ``Table`` objects on one ``MetaData``.

Every table is prefixed ``payroll_`` so the store can share a database with an application's
own tables, and its Alembic version table is ``payroll_alembic_version`` for the same reason.
The schema itself is created and changed only by the migrations in ``migrations/versions``;
this module must describe the schema those migrations produce (a test compares them).

Each record keeps the API's JSON in ``data`` (text: ``model_dump_json`` of the model, which is
what the API sent, unknown fields included) and a SHA-256 ``digest`` of it, so an upsert can
tell "unchanged" from "updated" without comparing documents. A few columns are copied out of
``data`` for queries and indexes (dates, amounts in integer cents, currency).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

__all__ = [
    "ACCOUNTS",
    "END_USERS",
    "METADATA",
    "PAYSTUBS",
    "RESOURCES",
    "RUNS",
    "SHIFTS",
    "VERSION_TABLE",
    "UTCDateTime",
]

VERSION_TABLE: Final = "payroll_alembic_version"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend.

    PostgreSQL keeps the offset (``timestamptz``); SQLite has no time zone type and would
    hand back naive datetimes, so values are stored as UTC and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


METADATA: Final = MetaData()

END_USERS: Final = Table(
    "payroll_end_users",
    METADATA,
    Column("end_user_id", String(255), primary_key=True),
    # When the last sync whose accounts listing succeeded started: the moment load_profile's
    # profile describes (its fetched_at).
    Column("synced_at", UTCDateTime(), nullable=False),
    Column("last_run_id", Integer, nullable=True),
    # Account records of the last listing that could not be read (JSON list, raw).
    Column("unreadable_accounts", Text, nullable=True),
)

ACCOUNTS: Final = Table(
    "payroll_accounts",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("end_user_id", String(255), nullable=False, index=True),
    # Order in the API's listing, so a loaded profile lists accounts as get_profile does.
    Column("position", Integer, nullable=False),
    # False once the API stopped listing the account: kept, but no longer part of the profile.
    Column("listed", Boolean, nullable=False),
    Column("data", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

RESOURCES: Final = Table(
    "payroll_resources",
    METADATA,
    Column(
        "account_id",
        String(64),
        ForeignKey("payroll_accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("resource", String(40), primary_key=True),
    # ok | not_found | failed | partial: the outcome of the last time it was fetched.
    Column("state", String(16), nullable=False),
    # The single resources' JSON (income, identity, employment, direct_deposit_allocations)
    # from the last successful read; kept when a later read fails. Null for the two lists.
    Column("data", Text, nullable=True),
    Column("digest", String(64), nullable=True),
    Column("reason", Text, nullable=True),  # FailureReason JSON when failed/partial
    Column("refreshed_at", UTCDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    # Lists only: the newest pay_date / end_date stored from a complete read, and when it was
    # set. The next sync reads from watermark - overlap (see docs/store.md).
    Column("watermark", Date, nullable=True),
    Column("watermark_at", UTCDateTime(), nullable=True),
    # Lists: the raw records that could not be read (JSON list of UnreadableRecord).
    Column("unreadable", Text, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

PAYSTUBS: Final = Table(
    "payroll_paystubs",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("pay_date", Date, nullable=True),
    Column("currency", String(8), nullable=False),
    Column("gross_pay_amount", BigInteger, nullable=True),
    Column("net_pay_amount", BigInteger, nullable=True),
    Column("data", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_payroll_paystubs_account_date", "account_id", "pay_date"),
)

SHIFTS: Final = Table(
    "payroll_shifts",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("currency", String(8), nullable=False),
    Column("data", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_payroll_shifts_account_date", "account_id", "end_date"),
)

RUNS: Final = Table(
    "payroll_runs",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("end_user_id", String(255), nullable=False, index=True),
    Column("batch_id", String(255), nullable=True, index=True),
    Column("trigger", String(32), nullable=False),  # sync | webhook
    Column("full", Boolean, nullable=False),
    # running | complete | partial | failed | cancelled
    Column("status", String(16), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("accounts", Integer, nullable=False, default=0),
    Column("added", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("requests", Integer, nullable=False, default=0),
    Column("problems", Text, nullable=True),  # JSON list of Problem
    Column("error", Text, nullable=True),  # FailureReason JSON of a user that failed
)
