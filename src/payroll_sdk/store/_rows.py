"""The rows of an account's write as they are built, and as they cross to the database process.

A first sync builds hundreds of thousands of record rows in the process that parses the
responses, which is CPU-bound (issue 12's T8), so a record row is a tuple in a fixed column
order rather than a dict, and a new record's digest is left for whoever writes it
(:meth:`RecordRows.finished`): with ``database_process=True`` that is the child process, on
another core. Measured on T8's records: the row and its digest were 2-3 µs of the 12 µs a
paystub costs to plan; the rest is its JSON (pydantic's ``to_json``).

When the database runs in a process of its own, rows are pickled column by column: a column
holding one object throughout (the sync's timestamp) is sent once, and dates as day numbers
(pickling a ``date`` builds and memoises a bytes object: 3.5 µs a record for the dicts as
they were, against 1 µs so).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

__all__ = [
    "PAYSTUB_COLUMNS",
    "SHIFT_COLUMNS",
    "RecordRows",
    "pack_dicts",
    "unpack_dicts",
]

PAYSTUB_COLUMNS: Final = (
    "id",
    "account_id",
    "pay_date",
    "currency",
    "gross_pay_amount",
    "net_pay_amount",
    "data",
    "digest",
    "first_seen_at",
    "updated_at",
)
SHIFT_COLUMNS: Final = (
    "id",
    "account_id",
    "start_date",
    "end_date",
    "currency",
    "data",
    "digest",
    "first_seen_at",
    "updated_at",
)
#: Columns holding dates (``datetime.date``, or ``None``).
_DATE_COLUMNS: Final = frozenset({"pay_date", "start_date", "end_date", "watermark"})
_SAME, _DAYS, _AS_IS = 0, 1, 2

Packed = tuple[tuple[str, ...], list[Any], int]


@dataclass(slots=True)
class RecordRows:
    """Rows of one records table (paystubs or shifts) in ``columns`` order.

    ``data`` is the record's JSON: a ``str`` with its ``digest``, or the JSON's ``bytes`` with
    ``digest`` ``None`` for a record nothing stored is compared with (its digest is computed
    when it is written)."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def finished(self) -> list[tuple[Any, ...]]:
        """The rows with every digest computed and every JSON a ``str``."""
        data = self.columns.index("data")
        digest = self.columns.index("digest")
        rows = self.rows
        if all(row[digest] is not None for row in rows):
            return rows
        done = []
        for row in rows:
            if row[digest] is None:
                raw = row[data]
                values = list(row)
                values[data], values[digest] = raw.decode(), hashlib.sha256(raw).hexdigest()
                row = tuple(values)
            done.append(row)
        return done

    def __getstate__(self) -> Packed | tuple[tuple[str, ...]]:
        if not self.rows:
            return (self.columns,)
        return _pack_columns(self.columns, list(zip(*self.rows, strict=True)), len(self.rows))

    def __setstate__(self, state: Packed | tuple[tuple[str, ...]]) -> None:
        self.columns = state[0]
        if len(state) == 1:
            self.rows = []
            return
        _, per_column, count = state
        self.rows = list(zip(*_unpack_columns(per_column, count), strict=True))


def pack_dicts(rows: Sequence[Mapping[str, Any]]) -> Packed | None:
    """Dict rows with the same keys, column by column (``None`` for no rows)."""
    if not rows:
        return None
    columns = tuple(rows[0])
    return _pack_columns(columns, [[row[name] for row in rows] for name in columns], len(rows))


def unpack_dicts(packed: Packed | None) -> list[dict[str, Any]]:
    if packed is None:
        return []
    columns, per_column, count = packed
    lists = _unpack_columns(per_column, count)
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _pack_columns(columns: tuple[str, ...], values: Sequence[Sequence[Any]], count: int) -> Packed:
    packed: list[Any] = []
    for name, column in zip(columns, values, strict=True):
        first = column[0]
        if all(value is first for value in column):
            packed.append((_SAME, first))
        elif name in _DATE_COLUMNS:
            packed.append((_DAYS, [None if v is None else v.toordinal() for v in column]))
        else:
            packed.append((_AS_IS, list(column)))
    return columns, packed, count


def _unpack_columns(per_column: list[Any], count: int) -> list[list[Any]]:
    lists = []
    for kind, values in per_column:
        if kind == _SAME:
            lists.append([values] * count)
        elif kind == _DAYS:
            lists.append([None if v is None else date.fromordinal(v) for v in values])
        else:
            lists.append(values)
    return lists
