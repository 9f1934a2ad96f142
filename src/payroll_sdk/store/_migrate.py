"""Applying the packaged Alembic migrations through the store's own database.

Alembic is synchronous, like the store's database work: it is handed the ``Connection`` of
one of the store's transactions (Alembic's documented "connection sharing" recipe), so no
second engine, URL or ``alembic.ini`` is involved. On PostgreSQL a transaction-scoped
advisory lock serialises processes that open the store at the same moment (several workers
starting together); SQLite serialises them with its own write lock.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from ._db import Database
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


async def current_revision(database: Database) -> str | None:
    """The revision the database is at (``None``: the store's tables were never created)."""
    return await database.run(_current)


async def upgrade(database: Database, revision: str = "head") -> None:
    """Apply every migration up to ``revision``, in one transaction (idempotent)."""
    await database.run(partial(_upgrade, revision=revision))


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))
    command.upgrade(_config(connection), revision)
