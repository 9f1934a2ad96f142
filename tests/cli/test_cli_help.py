"""``--help`` everywhere, ``--version``, usage errors, ``sandbox serve``'s delegation."""

from __future__ import annotations

import pytest

from payroll_sdk import __version__
from payroll_sdk.cli import ExitCode, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "profile"),
        (["profile"], "--json"),
        (["profiles"], "--concurrency"),
        (["sandbox"], "serve"),
        (["sandbox", "serve"], "--fault-rate"),
        (["sandbox", "users"], "--json"),
        (["profiles"], "--deadline"),
        (["webhook"], "verify"),
        (["webhook", "verify"], "--tolerance"),
        (["webhook", "sign"], "--timestamp"),
    ],
)
def test_help(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--help"]) == ExitCode.OK

    out = capsys.readouterr().out
    assert out.startswith(f"usage: payroll-sdk {' '.join(argv)}".rstrip())
    assert expected in out


def test_top_level_help_documents_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--help"])
    out = capsys.readouterr().out
    assert "exit status" in out and "PAYROLL_API_SECRET" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out.strip() == f"payroll-sdk {__version__}"


@pytest.mark.parametrize(
    "argv",
    [[], ["nope"], ["profile"], ["profile", "u", "--bogus"], ["sandbox"], ["webhook"]],
)
def test_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == ExitCode.USAGE
    assert "usage: payroll-sdk" in capsys.readouterr().err


def test_sandbox_serve_options_are_checked_by_the_sandbox_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sandbox", "serve", "--port", "not-a-port"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "payroll-sdk sandbox serve: error: argument --port" in err


def test_sandbox_serve_rejects_a_bad_fault_script_under_its_own_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sandbox", "serve", "--faults", "income=teapot"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "payroll-sdk sandbox serve: error:" in err
    assert "teapot" in err
