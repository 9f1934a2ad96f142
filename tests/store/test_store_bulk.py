"""The driver-level bulk write stores exactly what SQLAlchemy's own ``execute`` stores, in
multi-row statements on SQLite and as one array per column on PostgreSQL; a key repeated
among the rows is upserted in order, the last row winning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from payroll_sdk.store import ProfileStore, _bulk
from payroll_sdk.store._bulk import execute_many
from payroll_sdk.store._rows import PAYSTUB_COLUMNS
from payroll_sdk.store._schema import PAYSTUBS, RESOURCES
from payroll_sdk.store._write import _upsert

from .helpers import insert_account


def _insert(dialect: str) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(RESOURCES)


async def test_bulk_rows_read_back_like_rows_written_by_execute(local_store: ProfileStore) -> None:
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

    database = local_store._database
    assert database is not None

    def write_both_ways(connection: Connection) -> tuple[list[Any], list[Any]]:
        for account in ("via_execute", "via_bulk"):
            insert_account(connection, account, now)
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


async def test_a_row_the_database_refuses_raises_a_database_error(
    local_store: ProfileStore,
) -> None:
    database = local_store._database
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


async def test_rows_go_in_few_statements(
    local_store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite 600 rows go as statements of 256, 256, 64, 16 and 8 rows (one step each,
    not one per row); a parameter limit caps the rows per statement. PostgreSQL: one
    statement of 10 arrays, capped by ``_POSTGRES_ROWS``. Every row is stored either way."""
    database = local_store._database
    assert database is not None
    now = datetime(2026, 3, 15, 12, 0, 0, tzinfo=UTC)

    def stub(number: int) -> dict[str, Any]:
        return {
            "id": f"stub_{number}",
            "account_id": "acct",
            "pay_date": date(2026, 1, 1) + timedelta(days=number % 300),
            "currency": "USD",
            "gross_pay_amount": number * 100,
            "net_pay_amount": None,
            "data": "{}",
            "digest": f"{number:064d}",
            "first_seen_at": now,
            "updated_at": now,
        }

    executed: list[tuple[str, int]] = []

    def seen(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, many: bool) -> None:
        executed.append((statement, len(parameters) if not many else -len(parameters)))

    def write(connection: Connection, first: int, count: int) -> int:
        if first == 0:
            insert_account(connection, "acct", now)
        dialect = connection.dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        execute_many(
            connection,
            PAYSTUBS,
            "test stubs",
            lambda: module.insert(PAYSTUBS).on_conflict_do_nothing(),
            [stub(n) for n in range(first, first + count)],
        )
        return int(connection.execute(select(func.count()).select_from(PAYSTUBS)).scalar_one())

    event.listen(database.sync_engine, "before_cursor_execute", seen)
    try:
        assert await database.run(lambda c: write(c, 0, 600)) == 600
        inserts = [n for statement, n in executed if "INSERT INTO payroll_paystubs" in statement]
        if database.dialect.name == "sqlite":
            assert inserts == [2560, 2560, 640, 160, 80]  # 10 parameters a row
        else:
            assert inserts == [10]  # one execution, an array per column
        executed.clear()
        monkeypatch.setattr(_bulk, "_SQLITE_PARAMETERS", 45)  # 4 rows of 10 at most
        monkeypatch.setattr(_bulk, "_POSTGRES_ROWS", 4)
        assert await database.run(lambda c: write(c, 600, 9)) == 609
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", seen)
    inserts = [n for statement, n in executed if "INSERT INTO payroll_paystubs" in statement]
    assert inserts == ([40, 40, 10] if database.dialect.name == "sqlite" else [10, 10, 10])


async def test_a_key_repeated_among_the_rows_is_upserted_in_order(
    local_store: ProfileStore,
) -> None:
    """One statement cannot upsert a key twice on PostgreSQL; the rows are cut where a key
    repeats, so the result is that of writing them one by one: the last row of a key wins and
    keeps the first row's ``first_seen_at``."""
    database = local_store._database
    assert database is not None
    first = datetime(2026, 3, 15, 12, 0, 0, tzinfo=UTC)
    later = first + timedelta(hours=1)
    columns = PAYSTUB_COLUMNS

    def stub(number: int, gross: int, seen: datetime) -> tuple[Any, ...]:
        return (
            f"stub_{number}",
            "acct",
            date(2026, 1, number),
            "USD",
            gross,
            None,
            "{}",
            f"{gross:064d}",
            seen,
            seen,
        )

    def write(connection: Connection) -> list[Any]:
        insert_account(connection, "acct", first)
        rows = [
            stub(1, 100, first),
            stub(2, 200, first),
            stub(1, 101, later),
            stub(3, 300, first),
            stub(1, 102, later),
            stub(2, 201, later),
        ]
        _upsert(connection, PAYSTUBS, columns, rows)
        return list(
            connection.execute(
                select(
                    PAYSTUBS.c.id,
                    PAYSTUBS.c.gross_pay_amount,
                    PAYSTUBS.c.first_seen_at,
                    PAYSTUBS.c.updated_at,
                ).order_by(PAYSTUBS.c.id)
            ).all()
        )

    assert [tuple(row) for row in await database.run(write)] == [
        ("stub_1", 102, first, later),
        ("stub_2", 201, first, later),
        ("stub_3", 300, first, first),
    ]
