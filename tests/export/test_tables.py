"""The flat tables: every record becomes a row, money exact, missing amounts empty."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from payroll_sdk import PayrollProfile
from payroll_sdk.export import COLUMNS, TABLES, CsvWriter, column_names, table_rows


def test_every_record_is_a_row(profiles: list[PayrollProfile]) -> None:
    for profile in profiles:
        rows = table_rows(profile)
        stubs = [p for a in profile.accounts for p in a.paystubs]
        assert len(rows["accounts"]) == len(profile.accounts)
        assert len(rows["paystubs"]) == len(stubs)
        assert len(rows["earnings"]) == sum(len(p.earnings) for p in stubs)
        assert len(rows["deductions"]) == sum(len(p.deductions) for p in stubs)
        assert len(rows["taxes"]) == sum(len(p.taxes) for p in stubs)
        assert len(rows["shifts"]) == sum(len(a.shifts) for a in profile.accounts)
        assert len(rows["summary"]) == 1
        assert set(rows) == set(TABLES) - {"failures"}
        for table, table_rows_ in rows.items():
            for row in table_rows_:
                assert set(row) == set(column_names(table))


def test_money_is_cents_and_an_exact_decimal(profiles: list[PayrollProfile]) -> None:
    profile = profiles[0]
    stub = profile.accounts[0].paystubs[0]
    row = table_rows(profile)["paystubs"][0]
    assert row["paystub_id"] == stub.id and row["pay_date"] == stub.pay_date
    assert row["gross_pay_cents"] == stub.gross_pay_amount
    assert row["gross_pay"] == Decimal(stub.gross_pay_amount) / 100
    assert row["gross_pay_ytd_cents"] == stub.gross_pay_ytd


def test_a_missing_amount_is_none_never_zero(profiles: list[PayrollProfile]) -> None:
    profile = profiles[0]
    account = profile.accounts[0]
    holed = account.paystubs[0].model_copy(update={"gross_pay_amount": None})
    broken = profile.model_copy(
        update={"accounts": [account.model_copy(update={"paystubs": [holed]})]}
    )
    row = table_rows(broken)["paystubs"][0]
    assert row["gross_pay_cents"] is None and row["gross_pay"] is None


def test_accounts_carry_the_employer_figures(profiles: list[PayrollProfile]) -> None:
    degraded = next(p for p in profiles if p.end_user_id == "user_degraded")
    rows = table_rows(degraded)["accounts"]
    assert all(row["stale"] is True and row["connected"] is False for row in rows)
    for row, employer in zip(rows, degraded.summary.employers, strict=True):
        assert employer.figures is not None and employer.figures.year_to_date is not None
        assert row["ytd_gross_reported_cents"] == employer.figures.year_to_date.gross_reported
        assert row["employer_name"] == employer.employer_name


def test_csv_files_have_headers_and_round_trip(
    profiles: list[PayrollProfile], tmp_path: Path
) -> None:
    with CsvWriter(tmp_path) as writer:
        for profile in profiles:
            writer.write(profile)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in COLUMNS)
    with open(tmp_path / "paystubs.csv", newline="", encoding="utf-8") as handle:
        read = list(csv.DictReader(handle))
    expected = [row for p in profiles for row in table_rows(p)["paystubs"]]
    assert len(read) == len(expected) == writer.rows["paystubs"]
    for got, want in zip(read, expected, strict=True):
        assert int(got["gross_pay_cents"]) == want["gross_pay_cents"]
        assert Decimal(got["gross_pay"]) == want["gross_pay"]
        assert got["pay_date"] == want["pay_date"].isoformat()
    with open(tmp_path / "accounts.csv", newline="", encoding="utf-8") as handle:
        accounts = list(csv.DictReader(handle))
    assert {a["connected"] for a in accounts} <= {"true", "false"}
    assert any(a["ytd_gross_difference_cents"] == "" for a in accounts)  # None: empty cell
