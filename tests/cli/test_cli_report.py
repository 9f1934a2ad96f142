"""``payroll-sdk report``: the HTML page to a file or stdout, masked unless --show-pii."""

from __future__ import annotations

from pathlib import Path

import pytest

from payroll_sdk.cli import ExitCode, main


def test_report_writes_the_page_and_counts_the_caveats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "user_degraded", "--sandbox", "-o", str(out)]) == ExitCode.OK

    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert "Read first: 2 warning(s)" in page
    assert f"wrote {out} (2 warning(s), 0 notice(s))" in capsys.readouterr().err


def test_report_to_stdout_masks_the_name_unless_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "user_single", "--sandbox"]) == ExitCode.OK
    masked = capsys.readouterr().out
    assert main(["report", "user_single", "--sandbox", "--show-pii"]) == ExitCode.OK
    shown = capsys.readouterr().out
    title = shown.split("<h1>")[1].split("</h1>")[0]
    name = title.split(": ", 1)[1]
    assert "•" not in name and name not in masked
    assert "No caveats" in masked


def test_report_to_an_unwritable_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing-dir" / "report.html"
    assert main(["report", "user_single", "--sandbox", "-o", str(out)]) == ExitCode.USAGE
    assert "cannot write" in capsys.readouterr().err


def test_unknown_user_is_an_api_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "unknown_someone", "--sandbox"]) == ExitCode.API
