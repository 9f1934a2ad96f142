"""Applying the packaged Alembic migrations through the store's own async engine.

Alembic is synchronous; ``AsyncConnection.run_sync`` hands it the sync facade of the same
connection (Alembic's documented "connection sharing" recipe), so no second engine, URL or
``alembic.ini`` is involved. On PostgreSQL a transaction-scoped advisory lock serialises
processes that open the store at the same moment (several workers starting together);
SQLite serialises them with its own write lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ._schema import VERSION_TABLE

__all__ = ["current_revision", "head_revision", "upgrade"]

_MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
#: An arbitrary 64-bit key for pg_advisory_xact_lock, fixed so every process agrees on it.
_LOCK_KEY: Final = 0x5041_5952_4F4C_4C31  # "PAYROLL1"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of the SDK."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (``None``: the store's tables were never created)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``, in one transaction (idempotent)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(_config(connection), revision)
