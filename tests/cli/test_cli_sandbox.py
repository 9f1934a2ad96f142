"""``payroll-sdk sandbox serve`` as a user runs it, and ``payroll-sdk sandbox users``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from payroll_sdk import PayrollClientSync
from payroll_sdk.cli import ExitCode, main
from payroll_sdk.sandbox import SCENARIOS


def test_serve_prints_the_variables_the_client_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two lines `sandbox serve` prints, exported as they are, configure a client."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
    env |= {"PAYROLL_SANDBOX_SECRET": "served-secret-7", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "payroll_sdk", "sandbox", "serve", "--port", "0"]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        exported = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        assert set(exported) == {"PAYROLL_BASE_URL", "PAYROLL_API_SECRET"}
        assert exported["PAYROLL_API_SECRET"] == "served-secret-7"
        for name, value in exported.items():
            monkeypatch.setenv(name, value)
        with PayrollClientSync() as client:  # configured from the environment only
            assert client.get_profile("user_single").complete
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "in another shell" not in err  # the human hint is for a terminal only


def test_serve_refuses_a_secret_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "serve", "--secret", "typed-secret-1"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "usage: payroll-sdk sandbox serve" in err
    assert "PAYROLL_SANDBOX_SECRET" in err and "typed-secret-1" not in err


def test_users_lists_every_scenario_user(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "users"]) == ExitCode.OK

    out = capsys.readouterr().out
    for user_id, text in SCENARIOS.items():
        assert f"{user_id}  " in out and text in out
    assert "ordinary generated user" in out


def test_users_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "users", "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out) == dict(SCENARIOS)
