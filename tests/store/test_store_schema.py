"""The store's schema: its migrations, the tables the code describes, opening and upgrading."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from payroll_sdk import ConfigurationError
from payroll_sdk.store import ProfileStore, StoreError
from payroll_sdk.store._db import build_database
from payroll_sdk.store._migrate import current_revision, head_revision
from payroll_sdk.store._schema import METADATA, VERSION_TABLE


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE, "compare_type": False}
    )
    return list(compare_metadata(context, METADATA))


async def test_the_migrations_build_the_tables_the_code_describes(store_url: str) -> None:
    async with ProfileStore(store_url):
        pass
    database = build_database(store_url)  # the store's own way in, not the store itself
    try:
        assert await current_revision(database) == head_revision()
        assert await database.run(_differences) == []
    finally:
        await database.dispose()


async def test_opening_twice_upgrades_once_and_upgrade_false_refuses_an_old_schema(
    store_url: str,
) -> None:
    with pytest.raises(StoreError, match=r"not .*upgrade"):
        async with ProfileStore(store_url, upgrade=False):
            pass
    store = ProfileStore(store_url, upgrade=False)
    await store.upgrade()
    await store.upgrade()  # idempotent
    async with store:
        assert await store.runs() == []
    async with ProfileStore(store_url) as again:
        assert await again.runs() == []


async def test_an_unreachable_database_is_a_store_error_without_the_password() -> None:
    store = ProfileStore("postgresql+asyncpg://app:hunter2@127.0.0.1:1/payroll")
    with pytest.raises(StoreError) as caught:
        await store.open()
    assert "hunter2" not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "mysql+aiomysql://root@db/x",
        "postgresql+psycopg2://app@db/x",
        "sqlite+pysqlcipher:///x.db",
        "not a url",
        "",
    ],
)
def test_unsupported_urls_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(ConfigurationError):
        ProfileStore(url)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        ProfileStore("sqlite+aiosqlite:///x.db", pii="none")  # type: ignore[arg-type]
