"""``payroll-sdk profiles``: the batch command's JSON lines, counts, exit statuses, progress."""

from __future__ import annotations

import gc
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from payroll_sdk import PayrollClient, PayrollProfile
from payroll_sdk.cli import ExitCode, main
from payroll_sdk.cli._batch import read_ids
from payroll_sdk.cli._progress import Progress, format_duration
from payroll_sdk.sandbox import LatencyConfig, SandboxConfig, SandboxServer

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


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_redraws_one_line_on_a_terminal_with_rate_and_eta() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, 40, interactive=True, clock=clock)
    for done in range(1, 41):
        clock.now += 0.25  # 4 users a second
        progress.update(done, 40)
    progress.finish()

    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 40  # each update is 0.25 s after the last: all drawn
    assert frames[0].rstrip() == "[" + "." * 30 + "] 1/40 users"  # no rate in the first second
    assert frames[19].rstrip() == "[###############...............] 20/40 users  4.0/s  ETA 0:05"
    last = "[" + "#" * 30 + "] 40/40 users  in 0:10"
    assert frames[-1] == last.ljust(len(frames[-2])) + "\n"  # blanks the longer ETA frame


def test_progress_redraws_at_most_ten_times_a_second() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, 1000, interactive=True, clock=clock)
    for done in range(1, 1001):
        clock.now += 0.001  # 1,000 users a second
        progress.update(done)
    progress.finish()

    frames = stream.getvalue().split("\r")[1:]
    assert 10 <= len(frames) <= 12
    assert frames[-1].startswith("[" + "#" * 30 + "] 1000/1000 users  in 0:01")


def test_progress_logs_every_tenth_otherwise() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, 100, interactive=False, clock=clock)
    for done in range(1, 101):
        clock.now += 0.5
        progress.update(done, 100)
    progress.finish()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "progress: 10/100 users, 2.0/s, ETA 0:45"
    assert lines[-1] == "progress: 100/100 users, in 0:50"


def test_progress_without_a_total() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, None, unit="accounts", interactive=False, clock=clock)
    for done in range(1, 251):
        clock.now += 0.1
        progress.update(done)
    assert stream.getvalue().splitlines() == [
        "progress: 100 accounts, 10.0/s",
        "progress: 200 accounts, 10.0/s",
    ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (0.4, "0:00"), (59.5, "1:00"), (754.2, "12:34"), (3723, "1:02:03")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_ctrl_c_says_how_much_was_written(tmp_path: Path) -> None:
    ids, out = tmp_path / "ids.txt", tmp_path / "out.jsonl"
    ids.write_text("".join(f"user_{n:04d}\n" for n in range(100)))
    config = SandboxConfig(latency=LatencyConfig(ms=5))
    with SandboxServer(config) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
        env |= {"PAYROLL_BASE_URL": server.base_url, "PAYROLL_API_SECRET": server.secret}
        command = [sys.executable, "-m", "payroll_sdk", "profiles", "--ids", str(ids)]
        command += ["--out", str(out), "--concurrency", "2"]
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
        assert process.stderr is not None
        for line in process.stderr:  # the first tenth is done: interrupt it like a user
            if line.startswith("progress: "):
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)

    assert process.returncode == ExitCode.INTERRUPTED, err
    told = re.search(
        r"interrupted: (\d+) of 100 users written to (.+) \((\d+) complete, 0 partial, "
        r"0 failed\); the other (\d+) were not",
        err,
    )
    assert told is not None, err
    written = int(told[1])
    assert 0 < written < 100 and told[2] == str(out) and int(told[3]) == written
    assert int(told[4]) == 100 - written
    lines = out.read_text().splitlines()
    assert len(lines) == written  # every line counted is there, whole
    assert all(json.loads(line)["status"] == "complete" for line in lines)
    assert "Traceback" not in err


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


def test_batch_runs_with_the_start_up_heap_frozen(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    freeze_counts: Callable[[type, str], list[int]],
) -> None:
    # Checked as the batch starts: frozen during the run, and not after it.
    frozen_during = freeze_counts(PayrollClient, "get_profiles")
    ids, out = tmp_path / "ids.txt", tmp_path / "out.jsonl"
    ids.write_text("user_single\n")
    assert main(["profiles", "--ids", str(ids), "--out", str(out), "--sandbox"]) == ExitCode.OK
    capsys.readouterr()
    assert frozen_during and frozen_during[0] > 0
    assert gc.get_freeze_count() == 0
