"""Profiles as flat tables for analysts: CSV (standard library) and Apache Arrow / Parquet.

Tables (see :data:`TABLES` and :data:`COLUMNS`): ``accounts`` (one row per payroll account,
with its employer figures), ``paystubs``, ``earnings``, ``deductions`` and ``taxes`` (one row per
paystub line), ``shifts``, ``summary`` (one row per user: gaps, stability, trend) and
``failures`` (users who got no profile). Money is ``<name>_cents`` (integer minor units) plus
``<name>`` (exact decimal); a missing amount is empty, never 0; dates are dates.

::

    from payroll_sdk.export import CsvWriter, ParquetWriter, to_arrow

    with ParquetWriter("out/") as writer:          # streams: bounded memory
        async for result in client.get_profiles(ids):
            writer.write_result(result)

    tables = to_arrow([profile])                   # {"paystubs": pyarrow.Table, ...}
    frame = tables["paystubs"].to_pandas()         # or polars.from_arrow(tables["paystubs"])

Arrow and Parquet need the ``export`` extra (``pip install 'payroll-sdk[export]'``); CSV needs
nothing.
"""

from ._arrow import ParquetWriter, schema, to_arrow
from ._csv import CsvWriter, column_names
from ._tables import COLUMNS, TABLES, Column, table_rows

__all__ = [
    "COLUMNS",
    "TABLES",
    "Column",
    "CsvWriter",
    "ParquetWriter",
    "column_names",
    "schema",
    "table_rows",
    "to_arrow",
]
