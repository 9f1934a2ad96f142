"""``payroll-sdk webhook sign|verify``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from payroll_sdk.cli import ExitCode, main
from payroll_sdk.webhooks import verify

BODY = b'{"event": "paystubs.added", "event_id": "evt_1", "payload": {"end_user_id": "u1"}}'
SECRET = "whsec-test-3f9a"


@pytest.fixture(autouse=True)
def _secret(_no_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", SECRET)


def _sign(stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]) -> list[str]:
    stdin(BODY)
    assert main(["webhook", "sign"]) == ExitCode.OK
    return capsys.readouterr().out.splitlines()


def test_sign_prints_headers_a_receiver_accepts(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _sign(stdin, capsys)

    headers = dict(line.split(": ", 1) for line in lines)
    assert set(headers) == {
        "content-type",
        "x-pinwheel-signature",
        "x-timestamp",
        "x-pinwheel-webhook-id",
    }
    assert verify(BODY, headers, secret=SECRET).event_id == "evt_1"
    assert SECRET not in "\n".join(lines)


def test_sign_and_verify_round_trip(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    header_options = [arg for line in _sign(stdin, capsys) for arg in ("--header", line)]
    stdin(BODY)

    assert main(["webhook", "verify", *header_options]) == ExitCode.OK

    captured = capsys.readouterr()
    event = json.loads(captured.out)
    assert event["event"] == "paystubs.added"
    assert event["payload"]["end_user_id"] == "u1"
    assert "DataAddedEvent" in captured.err


def test_verify_with_signature_and_timestamp_options_and_env_secret(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    main(["webhook", "sign", "--json", "--timestamp", "1700000000"])
    headers = json.loads(capsys.readouterr().out)
    stdin(BODY)

    code = main(
        [
            "webhook", "verify", "--tolerance", "none",
            "--signature", headers["x-pinwheel-signature"],
            "--timestamp", headers["x-timestamp"],
        ]
    )  # fmt: skip

    assert code == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["event_id"] == "evt_1"


def test_verify_mismatch(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    header_options = [arg for line in _sign(stdin, capsys) for arg in ("--header", line)]
    stdin(BODY.replace(b"u1", b"u2"))

    assert main(["webhook", "verify", *header_options]) == ExitCode.FAILURE

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "(mismatch)" in captured.err


def test_verify_stale_timestamp(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    main(["webhook", "sign", "--json", "--timestamp", "1700000000"])
    headers = json.loads(capsys.readouterr().out)
    stdin(BODY)

    argv = ["webhook", "verify", "--signature", headers["x-pinwheel-signature"]]
    assert main([*argv, "--timestamp", "1700000000"]) == ExitCode.FAILURE
    assert "(stale)" in capsys.readouterr().err


def test_verify_missing_headers(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    assert main(["webhook", "verify"]) == ExitCode.FAILURE
    assert "(missing_header)" in capsys.readouterr().err


def test_malformed_header_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhook", "verify", "--header", "no-colon"]) == 2
    assert "NAME: VALUE" in capsys.readouterr().err


def test_no_secret_is_a_configuration_error(
    stdin: Callable[[bytes], None],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PAYROLL_API_SECRET")
    stdin(BODY)
    assert main(["webhook", "sign"]) == ExitCode.CONFIGURATION

    err = capsys.readouterr().err
    assert "set PAYROLL_API_SECRET" in err
    assert "--secret-file" in err
    assert "--sandbox" not in err  # webhook commands have no such option


@pytest.mark.parametrize("action", ["sign", "verify"])
def test_a_secret_on_the_command_line_is_refused(
    action: str, stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    assert main(["webhook", action, "--secret", "typed-secret-1"]) == ExitCode.USAGE

    err = capsys.readouterr().err
    assert "--secret is not accepted" in err
    assert "PAYROLL_API_SECRET" in err and "--secret-file" in err
    assert "typed-secret-1" not in err


def test_secret_file_accepts_an_old_and_a_new_secret(
    stdin: Callable[[bytes], None],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    header_options = [arg for line in _sign(stdin, capsys) for arg in ("--header", line)]
    monkeypatch.delenv("PAYROLL_API_SECRET")
    secrets = tmp_path / "secrets"
    secrets.write_text(f"whsec-old-1111\n\n{SECRET}\n")
    stdin(BODY)

    argv = ["webhook", "verify", "--secret-file", str(secrets), *header_options]
    assert main(argv) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["event_id"] == "evt_1"

    secrets.write_text("whsec-old-1111\n")
    stdin(BODY)
    assert main(argv) == ExitCode.FAILURE
    assert "(mismatch)" in capsys.readouterr().err


def test_sign_uses_the_first_line_of_the_secret_file(
    stdin: Callable[[bytes], None],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("PAYROLL_API_SECRET")
    secrets = tmp_path / "secrets"
    secrets.write_text(f"{SECRET}\nwhsec-other-2222\n")
    stdin(BODY)
    assert main(["webhook", "sign", "--json", "--secret-file", str(secrets)]) == ExitCode.OK
    assert verify(BODY, json.loads(capsys.readouterr().out), secret=SECRET).event_id == "evt_1"


def test_unreadable_or_empty_secret_file(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stdin(BODY)
    assert main(["webhook", "sign", "--secret-file", str(tmp_path / "nope")]) == ExitCode.USAGE
    assert "cannot read the secret file" in capsys.readouterr().err
    (tmp_path / "empty").write_text("\n")
    stdin(BODY)
    assert main(["webhook", "sign", "--secret-file", str(tmp_path / "empty")]) == 4
    assert "is empty" in capsys.readouterr().err
