"""Many rows written by one statement compiled once, executed at the driver level.

A first sync writes hundreds of thousands of records. Through ``connection.execute(statement,
rows)`` SQLAlchemy looks the statement up in its compiled cache, builds a parameter dict per
row and runs each value through its type's bind processor (a UTC datetime through our
``UTCDateTime`` and then SQLite's datetime-to-string), several microseconds per row, which the
issue 12 profile (T8) showed as a large part of the store's CPU. Here a statement is compiled
once per dialect and column set, rows become tuples in the statement's parameter order, and
only the columns whose type has a bind processor are converted, each distinct value once per
batch (the batch's timestamps are one ``now``). The driver receives exactly the values
SQLAlchemy would have given it: the processors are the column types' own.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

__all__ = ["execute_many"]


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: The row's values in the statement's parameter order.
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    #: ``(position, processor)`` of the parameters whose type converts them for the driver.
    processed: tuple[tuple[int, Callable[[Any], Any]], ...]


_COMPILED: weakref.WeakKeyDictionary[Dialect, dict[Hashable, _Compiled]] = (
    weakref.WeakKeyDictionary()
)


def _compile(
    dialect: Dialect, table: Table, statement: Insert, columns: Sequence[str]
) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    order = compiled.positiontup
    if order is None or sorted(order) != sorted(columns):  # pragma: no cover - both are positional
        raise AssertionError(f"unexpected parameters {order} for {table.name}")
    processed = []
    for position, name in enumerate(order):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processed.append((position, processor))
    getter = operator.itemgetter(*order)
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]] = (
        getter if len(order) > 1 else lambda row: (getter(row),)
    )
    return _Compiled(compiled.string, values, tuple(processed))


async def execute_many(
    connection: AsyncConnection,
    table: Table,
    key: Hashable,
    build: Callable[[], Insert],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Execute ``build()`` once per row of ``rows`` (dicts with the same keys), in one
    driver ``executemany``. ``key`` names the statement ``build`` makes (with the rows'
    columns) so it is compiled once per dialect."""
    if not rows:
        return
    dialect = connection.dialect
    columns = tuple(rows[0])
    cache = _COMPILED.setdefault(dialect, {})
    compiled = cache.get((key, columns))
    if compiled is None:
        compiled = cache[(key, columns)] = _compile(dialect, table, build(), columns)
    values = compiled.values
    if not compiled.processed:
        parameters: list[Any] = [values(row) for row in rows]
    else:
        # Each distinct value converted once: a batch's timestamps are all the same ``now``.
        converted: list[dict[Any, Any]] = [{} for _ in compiled.processed]
        parameters = []
        for row in rows:
            line = list(values(row))
            for (position, processor), seen in zip(compiled.processed, converted, strict=True):
                value = line[position]
                if value is not None:
                    try:
                        line[position] = seen[value]
                    except KeyError:
                        line[position] = seen[value] = processor(value)
            parameters.append(tuple(line))
    if dialect.name == "sqlite":
        await _sqlite_executemany(connection, compiled.sql, parameters)
    else:
        await connection.exec_driver_sql(compiled.sql, parameters)


async def _sqlite_executemany(connection: AsyncConnection, sql: str, parameters: list[Any]) -> None:
    """One call to aiosqlite's thread, where SQLAlchemy's cursor takes three (open, execute,
    close): each call waits for the event loop to come round, and SQLite's writers wait for
    the one holding the write lock (issue 12, T8). Same connection, so the same transaction:
    SQLAlchemy's commit or rollback ends it."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    try:
        await driver.executemany(sql, parameters)
    except connection.dialect.loaded_dbapi.Error as exc:
        # Wrapped as SQLAlchemy wraps driver errors, so db_errors turns it into a StoreError.
        raise DBAPIError.instance(sql, None, exc, connection.dialect.loaded_dbapi.Error) from exc
