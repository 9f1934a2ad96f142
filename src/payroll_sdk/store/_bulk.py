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

On PostgreSQL the rows go as one array per column into one statement, ``INSERT ... SELECT
FROM unnest($1::VARCHAR(64)[], $2::DATE[], ...)``, rather than through asyncpg's
``executemany``, which binds and executes the statement once per row: measured on T8's
records, the server's CPU per row fell from about 10 to 7 µs, and a first sync of 1,000 users
writes 384,000 of them. A statement cannot upsert the same key twice (``ON CONFLICT DO
UPDATE`` refuses to "affect a row a second time"), so rows that repeat a key of ``unique``
start a new statement, and the last row of a key wins, as it did row by row.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.dml import Insert

__all__ = ["execute_many", "execute_tuples"]

#: SQLite's limit on a statement's parameters (999 before SQLite 3.32).
_SQLITE_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
#: Most rows in one SQLite statement. What is left below it is written by the statements for
#: the powers of two that add up to it, so at most nine are compiled per table and columns.
_SQLITE_ROWS = 256
#: Most rows in one PostgreSQL statement (its arrays hold this many values each).
_POSTGRES_ROWS = 10_000


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
    return _Compiled(compiled.string, tuple(order), _processors(dialect, table, order))


def _compile_arrays(
    dialect: Dialect, table: Table, statement: Insert, columns: Sequence[str]
) -> _Compiled:
    """``statement`` inserting the rows of one array per column (PostgreSQL's ``unnest``); its
    processors convert the arrays' items."""
    arrays = [bindparam(name, type_=ARRAY(table.c[name].type)) for name in columns]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived()
    compiled = statement.from_select(list(columns), select(*(rows.c[n] for n in columns))).compile(
        dialect=dialect, column_keys=list(columns)
    )
    if compiled.positiontup != list(columns):  # pragma: no cover - rendered in column order
        raise AssertionError(f"unexpected parameters {compiled.positiontup} for {table.name}")
    return _Compiled(compiled.string, tuple(columns), _processors(dialect, table, columns))


def _processors(
    dialect: Dialect, table: Table, order: Sequence[str]
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """``(position, processor)`` of the columns in ``order`` whose type converts values for
    the driver."""
    processed = []
    for position, name in enumerate(order):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processed.append((position, processor))
    return tuple(processed)


def _converted(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``values`` through ``processor``, each distinct value converted once (a batch's
    timestamps are all one ``now``); ``None`` stays ``None``."""
    done = {v: None if v is None else processor(v) for v in set(values)}
    return list(map(done.__getitem__, values))


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


def _array_statements(
    rows: Sequence[tuple[Any, ...]], key_positions: Sequence[int]
) -> Iterator[Sequence[tuple[Any, ...]]]:
    """``rows`` cut into statements of at most ``_POSTGRES_ROWS`` rows in which no key (the
    values at ``key_positions``) repeats: a repeated key starts the next statement."""
    if not key_positions:
        for start in range(0, len(rows), _POSTGRES_ROWS):
            yield rows[start : start + _POSTGRES_ROWS]
        return
    seen: set[tuple[Any, ...]] = set()
    start = 0
    for index, row in enumerate(rows):
        key = tuple(row[p] for p in key_positions)
        if key in seen or index - start == _POSTGRES_ROWS:
            yield rows[start:index]
            seen.clear()
            start = index
        seen.add(key)
    yield rows[start:]


def execute_many(
    connection: Connection,
    table: Table,
    key: Hashable,
    build: Callable[[], Insert],
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: tuple[str, ...] = (),
) -> None:
    """Execute ``build()`` for every row of ``rows`` (dicts with the same keys), as if once
    per row, in order. ``key`` names the statement ``build`` makes (with the rows' columns) so
    it is compiled once per dialect. ``unique``: the columns of the conflict target of an
    ``ON CONFLICT DO UPDATE`` (no statement may hold the same values twice)."""
    if not rows:
        return
    columns = tuple(rows[0])
    execute_tuples(
        connection,
        table,
        key,
        build,
        columns,
        [tuple(row[c] for c in columns) for row in rows],
        unique=unique,
    )


def execute_tuples(
    connection: Connection,
    table: Table,
    key: Hashable,
    build: Callable[[], Insert],
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    *,
    unique: tuple[str, ...] = (),
) -> None:
    """:func:`execute_many` for rows that are tuples of ``columns``' values."""
    if not rows:
        return
    dialect = connection.dialect
    arrays = dialect.name == "postgresql"
    cache = _COMPILED.setdefault(dialect, {})
    compiled = cache.get((key, columns, arrays))
    if compiled is None:
        compile_as = _compile_arrays if arrays else _compile
        compiled = cache[(key, columns, arrays)] = compile_as(dialect, table, build(), columns)
    if arrays:
        key_positions = [columns.index(name) for name in unique]
        for chunk in _array_statements(rows, key_positions):
            values = [list(column) for column in zip(*chunk, strict=True)]
            for position, processor in compiled.processed:
                values[position] = _converted(values[position], processor)
            connection.exec_driver_sql(compiled.sql, tuple(values))
        return
    # Row after row in one flat list, in the statement's parameter order, then each converted
    # column in one pass.
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
        flat[position::width] = _converted(flat[position::width], processor)
    for sql, chunk in _sqlite_statements(dialect, key, build, compiled.order, flat):
        connection.exec_driver_sql(sql, chunk)
