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

On SQLite the rows go in multi-row statements (``VALUES (...), (...), ...``) rather than
through ``executemany``. The ``sqlite3`` module lets go of the GIL around every
``sqlite3_step``, that is once per row of an ``executemany``, and the store's thread then
waits to get it back until the event loop's thread yields it, up to
``sys.getswitchinterval()`` (5 ms) when the loop is busy parsing: measured, 8,000 rows
written that way beside a busy thread took 13 s of wall for 0.16 s of work. A statement of
up to ``_SQLITE_ROWS`` rows steps once for all of them.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam
from sqlalchemy.sql.dml import Insert

__all__ = ["execute_many", "execute_tuples"]

#: SQLite's limit on a statement's parameters (999 before SQLite 3.32).
_SQLITE_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
#: Most rows in one SQLite statement. What is left below it is written by the statements for
#: the powers of two that add up to it, so at most nine are compiled per table and columns.
_SQLITE_ROWS = 256


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: The statement's parameters (column names), in order.
    order: tuple[str, ...]
    #: ``(position, processor)`` of the parameters whose type converts them for the driver.
    processed: tuple[tuple[int, Callable[[Any], Any]], ...]


_COMPILED: weakref.WeakKeyDictionary[Dialect, dict[Hashable, _Compiled]] = (
    weakref.WeakKeyDictionary()
)
#: SQLite's multi-row statements, by ``(key, columns, rows)``.
_COMPILED_ROWS: weakref.WeakKeyDictionary[Dialect, dict[Hashable, str]] = (
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
    return _Compiled(compiled.string, tuple(order), tuple(processed))


def _compile_rows(dialect: Dialect, statement: Insert, order: Sequence[str], count: int) -> str:
    """The SQL of ``statement`` with ``count`` rows of parameters in ``order``, row after row."""
    multi = statement.values(
        [{name: bindparam(f"{name}_{row}") for name in order} for row in range(count)]
    )
    compiled = multi.compile(dialect=dialect)
    expected = [f"{name}_{row}" for row in range(count) for name in order]
    if compiled.positiontup != expected:  # pragma: no cover - SQLAlchemy renders rows in order
        raise AssertionError(f"unexpected parameter order for {count} rows")
    return compiled.string


def _sqlite_statements(
    dialect: Dialect,
    key: Hashable,
    build: Callable[[], Insert],
    order: tuple[str, ...],
    flat: list[Any],
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The rows in ``flat`` (row after row) as multi-row statements: full ones of up to
    ``_SQLITE_ROWS`` rows, then one per power of two in what is left (each statement's SQL
    compiled once)."""
    width = len(order)
    most = max(1, min(_SQLITE_ROWS, _SQLITE_PARAMETERS // width))
    cache = _COMPILED_ROWS.setdefault(dialect, {})
    start, total = 0, len(flat) // width
    while start < total:
        left = total - start
        count = most if left >= most else 1 << (left.bit_length() - 1)
        sql = cache.get((key, order, count))
        if sql is None:
            sql = cache[(key, order, count)] = _compile_rows(dialect, build(), order, count)
        yield sql, tuple(flat[start * width : (start + count) * width])
        start += count


def execute_many(
    connection: Connection,
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
    columns = tuple(rows[0])
    execute_tuples(
        connection, table, key, build, columns, [tuple(row[c] for c in columns) for row in rows]
    )


def execute_tuples(
    connection: Connection,
    table: Table,
    key: Hashable,
    build: Callable[[], Insert],
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """:func:`execute_many` for rows that are tuples of ``columns``' values."""
    if not rows:
        return
    dialect = connection.dialect
    cache = _COMPILED.setdefault(dialect, {})
    compiled = cache.get((key, columns))
    if compiled is None:
        compiled = cache[(key, columns)] = _compile(dialect, table, build(), columns)
    # Row after row in one flat list, in the statement's parameter order, then each converted
    # column in one pass, each distinct value converted once (a batch's timestamps are all the
    # same ``now``).
    flat: list[Any] = []
    if compiled.order == columns:
        for row in rows:
            flat.extend(row)
    else:
        positions = [columns.index(name) for name in compiled.order]
        for row in rows:
            flat.extend([row[p] for p in positions])
    width = len(compiled.order)
    for position, processor in compiled.processed:
        column = flat[position::width]
        converted = {v: None if v is None else processor(v) for v in set(column)}
        flat[position::width] = map(converted.__getitem__, column)
    if dialect.name == "sqlite":
        for sql, chunk in _sqlite_statements(dialect, key, build, compiled.order, flat):
            connection.exec_driver_sql(sql, chunk)
    else:
        rows_of = [tuple(flat[start : start + width]) for start in range(0, len(flat), width)]
        connection.exec_driver_sql(compiled.sql, rows_of)
