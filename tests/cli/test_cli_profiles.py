"""``payroll-sdk profiles``: the batch command's JSON lines, counts, exit statuses, progress."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from payroll_sdk import PayrollProfile
from payroll_sdk.cli import ExitCode, main
from payroll_sdk.cli._batch import read_ids
from payroll_sdk.cli._progress import Progress

IDS = """\
# scenario users
user_single
user_three_jobs   # three accounts

user_broken_shifts
unknown_batch_user
"""


def _lines(text: str) -> dict[str, dict[str, object]]:
    rows = [json.loads(line) for line in text.splitlines()]
    return {row["end_user_id"]: row for row in rows}


def test_batch_writes_one_line_per_user_and_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids, out = tmp_path / "ids.txt", tmp_path / "out.jsonl"
    ids.write_text(IDS)

    argv = ["profiles", "--ids", str(ids), "--out", str(out), "--sandbox", "--max-retries", "0"]
    code = main([*argv, "--concurrency", "2"])

    assert code == ExitCode.SOME_FAILED
    rows = _lines(out.read_text())
    assert len(out.read_text().splitlines()) == 4
    assert {user: row["status"] for user, row in rows.items()} == {
        "user_single": "complete",
        "user_three_jobs": "complete",
        "user_broken_shifts": "partial",
        "unknown_batch_user": "failed",
    }
    profile = PayrollProfile.model_validate(rows["user_three_jobs"]["profile"])
    assert len(profile.accounts) == 3
    assert rows["user_single"]["error"] is None
    failed = rows["unknown_batch_user"]
    assert failed["profile"] is None
    assert failed["error"] == {
        "error": "NotFoundError",
        "message": "No end user with id unknown_batch_user.",
        "status_code": 404,
        "type": "RECORD_NOT_FOUND",
        "code": "END_USER_NOT_FOUND",
        "request_id": failed["error"]["request_id"],  # type: ignore[index]
    }
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "2 complete, 1 partial, 1 failed (4 users)" in captured.err
    assert "progress: 4/4 users" in captured.err


def test_batch_from_stdin_to_stdout_exits_zero_when_all_got_a_profile(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(b"user_single\nuser_no_accounts\n")

    assert main(["profiles", "--ids", "-", "--sandbox"]) == ExitCode.OK

    captured = capsys.readouterr()
    rows = _lines(captured.out)
    assert set(rows) == {"user_single", "user_no_accounts"}
    assert all(row["status"] == "complete" for row in rows.values())
    assert "2 complete, 0 partial, 0 failed (2 users)" in captured.err


def test_bad_dates_fail_once_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("user_single\n")
    argv = ["profiles", "--ids", str(ids), "--sandbox"]

    code = main([*argv, "--from-date", "2026-03-01", "--to-date", "2026-01-01"])

    assert code == ExitCode.USAGE
    captured = capsys.readouterr()
    assert "--from-date" in captured.err
    assert captured.out == ""


def test_missing_ids_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profiles", "--ids", str(tmp_path / "nope.txt"), "--sandbox"]) == ExitCode.USAGE
    assert "cannot read ids" in capsys.readouterr().err


def test_missing_credentials(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("user_single\n")
    assert main(["profiles", "--ids", str(ids)]) == ExitCode.CONFIGURATION
    assert "PAYROLL_API_SECRET" in capsys.readouterr().err


def test_read_ids_skips_blanks_and_comments() -> None:
    assert read_ids(IDS.splitlines(keepends=True)) == [
        "user_single",
        "user_three_jobs",
        "user_broken_shifts",
        "unknown_batch_user",
    ]


def test_progress_redraws_one_line_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, 4, interactive=True)
    for done in range(1, 5):
        progress.update(done, 4)
    progress.finish()

    text = stream.getvalue()
    assert text.count("\r") == 4
    assert text.count("\n") == 1
    assert text.endswith("[" + "#" * 30 + "] 4/4 users\n")


def test_progress_logs_every_tenth_otherwise() -> None:
    stream = io.StringIO()
    progress = Progress(stream, 100, interactive=False)
    for done in range(1, 101):
        progress.update(done, 100)
    progress.finish()

    lines = stream.getvalue().splitlines()
    assert lines == [f"progress: {n}/100 users" for n in range(10, 101, 10)]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_batch_writes_flat_tables(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids, out = tmp_path / "ids.txt", tmp_path / "tables"
    ids.write_text(IDS)

    argv = ["profiles", "--ids", str(ids), "--sandbox", "--max-retries", "0"]
    assert main([*argv, "--format", fmt, "-o", str(out)]) == ExitCode.SOME_FAILED

    from payroll_sdk.export import TABLES

    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{fmt}" for t in TABLES)
    if fmt == "csv":
        import csv

        with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
            users = {row["end_user_id"] for row in csv.DictReader(handle)}
        with open(out / "failures.csv", newline="", encoding="utf-8") as handle:
            failures = list(csv.DictReader(handle))
    else:
        pq = pytest.importorskip("pyarrow.parquet")
        users = set(pq.read_table(out / "summary.parquet").column("end_user_id").to_pylist())
        failures = pq.read_table(out / "failures.parquet").to_pylist()
    assert users == {"user_single", "user_three_jobs", "user_broken_shifts"}
    assert [(f["end_user_id"], f["error"]) for f in failures] == [
        ("unknown_batch_user", "NotFoundError")
    ]
    assert f"tables written to {out}" in capsys.readouterr().err


def test_flat_tables_need_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("user_single\n")
    argv = ["profiles", "--ids", str(ids), "--sandbox", "--format", "csv"]
    assert main(argv) == ExitCode.USAGE
    assert "needs -o DIRECTORY" in capsys.readouterr().err
