"""Apache Arrow tables and Parquet files (the ``export`` extra).

Arrow is the columnar format pandas (``table.to_pandas()``), polars (``pl.from_arrow(table)``)
and DuckDB read without copying, and Parquet its file form. Types: ``date32`` for dates,
``timestamp[us, UTC]`` for timestamps, ``int64`` for cents and ``decimal128(22, 4)`` for the
decimal twin of every amount (4 places hold every ISO 4217 minor unit exactly).

:class:`ParquetWriter` streams: it keeps at most ``row_group_rows`` rows per table in memory
and writes them as a row group, so a batch of any size exports in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from .._exceptions import ConfigurationError
from ..models.profile import PayrollProfile
from ._tables import COLUMNS, TableWriter, table_rows

__all__ = ["DECIMAL_PRECISION", "DECIMAL_SCALE", "ParquetWriter", "schema", "to_arrow"]

DECIMAL_PRECISION: Final = 22
DECIMAL_SCALE: Final = 4
#: Rows per table buffered before a row group is written.
ROW_GROUP_ROWS: Final = 8_192


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # makes pyarrow.parquet an attribute of pyarrow
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigurationError(
            "Arrow and Parquet export need pyarrow: pip install 'payroll-sdk[export]'"
        ) from exc
    return pyarrow


def schema(table: str) -> Any:
    """The ``pyarrow.Schema`` of ``table`` (``money`` columns as ``_cents`` int64 + decimal)."""
    pa = _pyarrow()
    simple = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
    }
    fields = []
    for column in COLUMNS[table]:
        if column.kind == "money":
            fields.append(pa.field(f"{column.name}_cents", pa.int64()))
            fields.append(pa.field(column.name, pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)))
        else:
            fields.append(pa.field(column.name, simple[column.kind]))
    return pa.schema(fields)


def to_arrow(profiles: Iterable[PayrollProfile]) -> dict[str, Any]:
    """Every table of ``profiles`` as a ``pyarrow.Table`` (held in memory: for a stream of
    many profiles use :class:`ParquetWriter`)."""
    pa = _pyarrow()
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in COLUMNS}
    for profile in profiles:
        for table, new in table_rows(profile).items():
            rows[table].extend(new)
    return {
        table: pa.Table.from_pylist(table_rows_, schema=schema(table))
        for table, table_rows_ in rows.items()
    }


class ParquetWriter(TableWriter):
    """Write profiles to ``directory/<table>.parquet`` as they arrive, in bounded memory::

        with ParquetWriter("out") as writer:
            async for result in client.get_profiles(ids):
                writer.write_result(result)

    Every table gets a file, even an empty one, so readers always find the same set.
    """

    def __init__(self, directory: str | Path, *, row_group_rows: int = ROW_GROUP_ROWS) -> None:
        self._pa = _pyarrow()
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.row_group_rows = row_group_rows
        self._schemas = {table: schema(table) for table in COLUMNS}
        self._buffers: dict[str, list[dict[str, Any]]] = {table: [] for table in COLUMNS}
        self._writers: dict[str, Any] = {
            table: self._pa.parquet.ParquetWriter(
                self.directory / f"{table}.parquet", self._schemas[table], compression="zstd"
            )
            for table in COLUMNS
        }
        self.rows: dict[str, int] = dict.fromkeys(COLUMNS, 0)

    def _append(self, table: str, rows: list[dict[str, Any]]) -> None:
        buffer = self._buffers[table]
        buffer.extend(rows)
        self.rows[table] += len(rows)
        if len(buffer) >= self.row_group_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        buffer = self._buffers[table]
        if buffer:
            batch = self._pa.Table.from_pylist(buffer, schema=self._schemas[table])
            self._writers[table].write_table(batch)
            buffer.clear()

    def close(self) -> None:
        """Write what is buffered and close every file."""
        for table, writer in self._writers.items():
            self._flush(table)
            writer.close()
