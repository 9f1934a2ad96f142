"""``payroll-sdk sync``: users into the profile store, JSON lines, totals, exit statuses."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from payroll_sdk.cli import ExitCode, main
from payroll_sdk.store import ProfileStore


def _lines(text: str) -> dict[str, dict[str, object]]:
    rows = [json.loads(line) for line in text.splitlines()]
    return {str(row["end_user_id"]): row for row in rows}


def test_sync_stores_users_and_a_second_run_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYROLL_STORE_URL", raising=False)
    db = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    ids = tmp_path / "ids.txt"
    ids.write_text("user_three_jobs  # three accounts\nunknown_cli_user\n")

    first = main(["sync", "user_single", "--ids-file", str(ids), "--db", db, "--sandbox"])
    out, err = capsys.readouterr()
    rows = _lines(out)
    assert first == ExitCode.SOME_FAILED
    assert set(rows) == {"user_single", "user_three_jobs", "unknown_cli_user"}
    assert rows["user_single"]["status"] == "complete"
    assert isinstance(rows["user_single"]["added"], int) and rows["user_single"]["added"] > 0
    error = rows["unknown_cli_user"]["error"]
    assert isinstance(error, dict) and error["error"] == "NotFoundError"
    assert "2 complete, 0 partial, 1 failed (3 users)" in err
    assert "progress: 3/3 users" in err

    second = main(["sync", "user_single", "user_three_jobs", "--db", db, "--sandbox"])
    out, err = capsys.readouterr()
    assert second == ExitCode.OK
    assert {r["added"] for r in _lines(out).values()} == {0}
    assert "0 records added, 0 updated" in err

    async def load() -> object:
        async with ProfileStore(db) as store:
            return await store.load_profile("user_three_jobs")

    profile = asyncio.run(load())
    assert profile is not None


def test_sync_reads_the_database_url_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("PAYROLL_STORE_URL", f"sqlite+aiosqlite:///{db}")
    assert main(["sync", "user_single", "--sandbox", "--full"]) == ExitCode.OK
    assert db.exists()


def test_sync_without_users_or_with_a_bad_url_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stdin: Callable[[bytes], None]
) -> None:
    stdin(b"# nothing here\n")
    assert main(["sync", "--ids-file", "-", "--sandbox"]) == ExitCode.USAGE
    assert "no end-user ids" in capsys.readouterr().err
    code = main(["sync", "user_single", "--db", "mysql://root:hunter2@db/x", "--sandbox"])
    err = capsys.readouterr().err
    assert code == ExitCode.CONFIGURATION
    assert "SQLite or PostgreSQL" in err and "hunter2" not in err


def test_sync_runs_with_the_start_up_heap_frozen(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    freeze_counts: Callable[[type, str], list[int]],
) -> None:
    # Checked as the sync starts: frozen during the run, and not after it.
    frozen_during = freeze_counts(ProfileStore, "sync_many")
    db = f"sqlite+aiosqlite:///{tmp_path / 'frozen.db'}"
    assert main(["sync", "user_single", "--db", db, "--sandbox"]) == ExitCode.OK
    capsys.readouterr()
    assert frozen_during and frozen_during[0] > 0
    assert gc.get_freeze_count() == 0


def test_sync_runs_the_database_work_in_a_child_process_for_batches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import payroll_sdk.store

    chosen: list[bool] = []

    class Recorded(ProfileStore):
        def __init__(self, *args: object, **kwargs: bool) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        async def open(self) -> None:  # the store that is used, not one only built
            chosen.append(self.database_process)
            await super().open()

    monkeypatch.setattr(payroll_sdk.store, "ProfileStore", Recorded)
    db = f"sqlite:///{tmp_path / 'batch.db'}"
    # Told to: two users synced through the child, stored as in this process.
    assert (
        main(["sync", "user_single", "store_cli_1", "--db", db, "--sandbox", "--database-process"])
        == ExitCode.OK
    )
    assert _lines(capsys.readouterr().out)["user_single"]["added"] != 0
    # Not told: on for more than 50 users, off for fewer, and --no-database-process wins.
    many = [f"unknown_cli_{n}" for n in range(51)]
    assert main(["sync", *many, "--db", db, "--sandbox"]) == ExitCode.SOME_FAILED
    assert main(["sync", *many[:3], "--db", db, "--sandbox"]) == ExitCode.SOME_FAILED
    assert main(["sync", *many, "--db", db, "--sandbox", "--no-database-process"]) == 3
    capsys.readouterr()
    assert chosen == [True, True, False, False]
