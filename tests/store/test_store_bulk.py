"""The driver-level executemany stores exactly what SQLAlchemy's own ``execute`` stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from payroll_sdk.store import ProfileStore
from payroll_sdk.store._bulk import execute_many
from payroll_sdk.store._schema import ACCOUNTS, RESOURCES


def _insert(dialect: str) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(RESOURCES)


async def test_bulk_rows_read_back_like_rows_written_by_execute(store: ProfileStore) -> None:
    now = datetime(2026, 3, 15, 12, 0, 0, tzinfo=UTC)  # microsecond 0: formats differ there
    other = datetime(2026, 3, 15, 9, 30, 15, 120, tzinfo=timezone(timedelta(hours=-5)))

    def row(account: str, resource: str, moment: datetime, mark: date | None) -> dict[str, Any]:
        return {
            "account_id": account,
            "resource": resource,
            "state": "ok",
            "data": None,
            "digest": None,
            "reason": None,
            "refreshed_at": moment,
            "attempts": 1,
            "pages": 2,
            "watermark": mark,
            "watermark_at": None if mark is None else moment,
            "unreadable": None,
            "updated_at": now,
        }

    database = store._engine
    assert database is not None

    def write_both_ways(connection: Connection) -> tuple[list[Any], list[Any]]:
        for account in ("via_execute", "via_bulk"):
            connection.execute(
                ACCOUNTS.insert().values(
                    id=account,
                    end_user_id="u",
                    position=0,
                    listed=True,
                    data="{}",
                    digest="d",
                    first_seen_at=now,
                    updated_at=now,
                )
            )
        rows = [
            ("paystubs", now, date(2026, 3, 13)),
            ("shifts", other, None),
            ("income", other, date(1999, 1, 2)),
        ]
        dialect = connection.dialect.name
        connection.execute(_insert(dialect), [row("via_execute", *values) for values in rows])
        execute_many(
            connection,
            RESOURCES,
            "test",
            lambda: _insert(dialect),
            [row("via_bulk", *values) for values in rows],
        )
        # The raw stored text/values, not only what SQLAlchemy reads back from them.
        raw = connection.execute(
            text(
                "SELECT account_id, resource, CAST(refreshed_at AS TEXT), "
                "CAST(watermark AS TEXT), CAST(updated_at AS TEXT) FROM payroll_resources"
            )
        ).all()
        return list(raw), list(connection.execute(select(RESOURCES)).all())

    raw, typed = await database.run(write_both_ways)

    def by_account(found: Sequence[Any], account: str) -> list[tuple[Any, ...]]:
        return sorted(tuple(r[1:]) for r in found if r[0] == account)

    assert by_account(raw, "via_bulk") == by_account(raw, "via_execute")
    assert len(by_account(raw, "via_bulk")) == 3
    assert by_account(typed, "via_bulk") == by_account(typed, "via_execute")
    refreshed = {r.resource: r.refreshed_at for r in typed if r.account_id == "via_bulk"}
    assert refreshed == {"paystubs": now, "shifts": other, "income": other}


async def test_a_row_the_database_refuses_raises_a_database_error(store: ProfileStore) -> None:
    database = store._engine
    assert database is not None

    def refused(connection: Connection) -> None:
        dialect = connection.dialect.name
        execute_many(
            connection,
            RESOURCES,
            "refused",
            lambda: _insert(dialect),
            [{"account_id": "missing", "resource": "paystubs", "state": None}],
        )

    with pytest.raises(DBAPIError):
        await database.run(refused)
