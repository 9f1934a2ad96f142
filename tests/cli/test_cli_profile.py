"""``payroll-sdk profile``: text and JSON output, masking, errors and their exit statuses."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from payroll_sdk import PayrollProfile
from payroll_sdk.cli import ExitCode, main
from payroll_sdk.sandbox import DEFAULT_SECRET, SandboxConfig, SandboxData, SandboxServer


def _truth(user_id: str) -> SandboxData:
    # The CLI's in-process sandbox uses the default config: the same seed gives the same data.
    data = SandboxData(seed=SandboxConfig().seed)
    data.user(user_id)
    return data


def _personal_values(user_id: str) -> list[str]:
    """Every SSN, date of birth, bank account and routing number of a sandbox user."""
    values: list[str] = []
    for account in _truth(user_id).user(user_id).accounts:
        identity = account.identity
        assert identity is not None
        values += [identity["last_four_ssn"], identity["date_of_birth"]]
        deposits = account.direct_deposit_allocations
        assert deposits is not None
        for allocation in deposits["allocations"]:
            values += [allocation["masked_account_number"], allocation["routing_number"]]
    return values


def _contains_number(text: str, digits: str) -> bool:
    # A value counts as printed only as a token of its own, not inside a longer number/uuid.
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(digits)}(?![0-9A-Za-z])", text) is not None


def test_profile_text_shows_employers_and_hides_personal_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["profile", "user_three_jobs", "--sandbox"]) == ExitCode.OK

    out = capsys.readouterr().out
    truth = _truth("user_three_jobs").user("user_three_jobs")
    for account in truth.accounts:
        assert account.employment is not None
        assert account.employment["employer_name"] in out
        assert account.account_id in out
    for heading in ("Accounts", "At a glance", "Pay gaps", "Recent paystubs", "Annualized income"):
        assert heading in out
    # The person's name is masked: initials only.
    name = truth.accounts[0].identity["full_name"] if truth.accounts[0].identity else None
    assert name is not None and name not in out
    assert "USD " in out  # money printed as dollars, not cents
    values = _personal_values("user_three_jobs")
    assert values
    leaked = [value for value in values if _contains_number(out, value)]
    assert leaked == []


def test_profile_text_lists_latest_five_paystubs_per_account(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["profile", "user_single", "--sandbox"]) == ExitCode.OK

    out = capsys.readouterr().out
    stubs = _truth("user_single").user("user_single").accounts[0].paystubs
    shown = [stub["pay_date"] for stub in stubs[:5]]
    hidden = stubs[5]["pay_date"]
    assert all(pay_date in out for pay_date in shown)
    assert hidden not in out.split("Recent paystubs")[1]
    assert f"({len(stubs) - 5} older paystubs not shown)" in out


def test_profile_text_reports_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_broken_shifts", "--sandbox", "--max-retries", "0"]) == 0

    out = capsys.readouterr().out
    assert "INCOMPLETE (1 problem)" in out
    # The problem is among the caveats at the top, before any figure.
    read_first = out.split("READ FIRST\n")[1].split("At a glance")[0]
    assert "shifts only partly read" in read_first and "500" in read_first


@pytest.mark.parametrize("width", [40, 60, 80, 153])
def test_profile_text_fits_the_width(capsys: pytest.CaptureFixture[str], width: int) -> None:
    assert main(["profile", "user_three_jobs", "--sandbox", "--width", str(width)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= width
    assert sum(1 for line in lines if "Evergreen School District" in line) >= 2


def test_profile_text_follows_the_terminal_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "64")  # what shutil.get_terminal_size reads first
    assert main(["profile", "user_degraded", "--sandbox"]) == 0

    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 64
    assert "READ FIRST" in out and "disconnected" in out


def test_profile_json_parses_back(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_single", "--sandbox", "--json"]) == ExitCode.OK

    profile = PayrollProfile.model_validate_json(capsys.readouterr().out)
    assert profile.end_user_id == "user_single"
    assert profile.complete
    assert len(profile.accounts) == 1
    # JSON is the raw-data form by design: the identity is there, unmasked.
    identity = profile.accounts[0].identity
    assert identity is not None
    assert identity.last_four_ssn == _personal_values("user_single")[0]


def test_profile_include_skips_other_resources(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["profile", "user_single", "--sandbox", "--json", "--include", "income,paystubs"]
    assert main(argv) == ExitCode.OK

    status = PayrollProfile.model_validate_json(capsys.readouterr().out).accounts[0].status
    assert {name: s.state for name, s in status.items()} == {
        "paystubs": "ok",
        "income": "ok",
        "identity": "skipped",
        "shifts": "skipped",
        "employment": "skipped",
        "direct_deposit_allocations": "skipped",
    }


def test_unknown_include_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_single", "--sandbox", "--include", "salary"]) == ExitCode.USAGE
    assert "--include" in capsys.readouterr().err


def test_missing_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_single"]) == ExitCode.CONFIGURATION

    err = capsys.readouterr().err
    assert "PAYROLL_API_SECRET" in err
    assert "--sandbox" in err
    assert "Traceback" not in err


def test_bad_user_id_is_invalid_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "bad/id", "--sandbox"]) == ExitCode.USAGE
    assert "invalid input" in capsys.readouterr().err


def test_bad_date_is_invalid_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_single", "--sandbox", "--from-date", "2026-02-30"]) == 2
    assert "from_date" in capsys.readouterr().err


def test_unknown_user_is_an_api_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "unknown_xyz", "--sandbox"]) == ExitCode.API

    err = capsys.readouterr().err
    assert "404" in err
    assert "type=RECORD_NOT_FOUND" in err
    assert "request_id=req_" in err


def test_sandbox_excludes_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "u", "--sandbox", "--base-url", "http://x"]) == ExitCode.USAGE
    assert "not allowed with" in capsys.readouterr().err


def test_credentials_and_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with SandboxServer() as server:
        monkeypatch.setenv("PAYROLL_BASE_URL", server.base_url)
        monkeypatch.setenv("PAYROLL_API_SECRET", DEFAULT_SECRET)
        assert main(["profile", "user_single", "--json"]) == ExitCode.OK
        assert PayrollProfile.model_validate_json(capsys.readouterr().out).complete

        monkeypatch.setenv("PAYROLL_API_SECRET", "wrong-secret-value")
        assert main(["profile", "user_single", "--base-url", server.base_url]) == ExitCode.API
        err = capsys.readouterr().err
        assert "401" in err
        assert "wrong-secret-value" not in err


def test_python_dash_m_in_a_subprocess() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
    completed = subprocess.run(
        [sys.executable, "-m", "payroll_sdk", "profile", "user_single", "--sandbox"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    employment = _truth("user_single").user("user_single").accounts[0].employment
    assert employment is not None
    assert employment["employer_name"] in completed.stdout
    assert completed.stderr == ""


def test_profile_text_warns_about_data_that_is_not_current(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["profile", "user_degraded", "--sandbox"]) == ExitCode.OK
    out = capsys.readouterr().out
    first = " ".join(out.split("READ FIRST", 1)[1].split("At a glance", 1)[0].split())
    assert first.count("is disconnected (not connected") == 2
    assert "stale after 35 days" in first
    assert re.search(r"Current employers +none", out)


def test_profile_text_of_current_data_has_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_single", "--sandbox", "--stale-after", "10"]) == ExitCode.OK
    assert "READ FIRST" not in capsys.readouterr().out
