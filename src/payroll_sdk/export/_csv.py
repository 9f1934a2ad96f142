"""CSV files, one per table, with the standard library: written as profiles arrive.

Values are written as their ISO or plain text forms: dates ``2025-06-13``, timestamps with
their offset, decimals exactly (``4807.20``), booleans ``true``/``false``, ``None`` as an empty
cell. Each file starts with its header.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from ._tables import COLUMNS, TableWriter

__all__ = ["CsvWriter", "column_names"]


def column_names(table: str) -> list[str]:
    """The header of ``table``: ``money`` columns give ``<name>_cents`` then ``<name>``."""
    names = []
    for column in COLUMNS[table]:
        if column.kind == "money":
            names += [f"{column.name}_cents", column.name]
        else:
            names.append(column.name)
    return names


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class CsvWriter(TableWriter):
    """Write profiles to ``directory/<table>.csv``, one file per table, row by row.

    Nothing is held in memory beyond the profile being written::

        with CsvWriter("out") as writer:
            async for result in client.get_profiles(ids):
                writer.write_result(result)
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}
        self.rows: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        for table in COLUMNS:
            handle = open(self.directory / f"{table}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._files[table] = handle
            writer = csv.writer(handle)
            writer.writerow(column_names(table))
            self._writers[table] = writer

    def _append(self, table: str, rows: list[dict[str, Any]]) -> None:
        names = column_names(table)
        writer = self._writers[table]
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in names])
        self.rows[table] += len(rows)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
