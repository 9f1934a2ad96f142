"""Arrow tables and streamed Parquet files: types, exact money, bounded buffers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from payroll_sdk import PayrollProfile
from payroll_sdk.export import TABLES, ParquetWriter, schema, table_rows, to_arrow

pa = pytest.importorskip("pyarrow")  # the 'export' extra (in dev)
pq = pytest.importorskip("pyarrow.parquet")


def test_types_are_dates_cents_and_decimals() -> None:
    paystubs = schema("paystubs")
    assert paystubs.field("pay_date").type == pa.date32()
    assert paystubs.field("gross_pay_cents").type == pa.int64()
    assert paystubs.field("gross_pay").type == pa.decimal128(22, 4)
    assert schema("accounts").field("created_at").type == pa.timestamp("us", tz="UTC")


def test_to_arrow_holds_every_row_exactly(profiles: list[PayrollProfile]) -> None:
    tables = to_arrow(profiles)
    assert set(tables) == set(TABLES)
    expected = [row for p in profiles for row in table_rows(p)["paystubs"]]
    got = tables["paystubs"].to_pylist()
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert row["gross_pay_cents"] == want["gross_pay_cents"]
        assert row["gross_pay"] == want["gross_pay"]  # Decimal, rescaled without loss
        assert row["pay_date"] == want["pay_date"]


def test_parquet_writer_streams_in_row_groups(
    profiles: list[PayrollProfile], tmp_path: Path
) -> None:
    with ParquetWriter(tmp_path, row_group_rows=100) as writer:
        for profile in profiles:
            writer.write(profile)
            # Never more than a row group's worth held per table.
            assert all(len(buffer) < 100 for buffer in writer._buffers.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    paystubs = pq.ParquetFile(tmp_path / "paystubs.parquet")
    total = sum(len(a.paystubs) for p in profiles for a in p.accounts)
    assert paystubs.metadata.num_rows == writer.rows["paystubs"] == total
    assert paystubs.metadata.num_row_groups >= 2  # written as it went, not at the end
    table = pq.read_table(tmp_path / "paystubs.parquet")
    assert table.schema.equals(schema("paystubs"))
    first = table.slice(0, 1).to_pylist()[0]
    stub = profiles[0].accounts[0].paystubs[0]
    assert first["gross_pay"] == Decimal(stub.gross_pay_amount) / 100
    assert pq.read_table(tmp_path / "failures.parquet").num_rows == 0  # empty, but there
