"""``payroll-sdk webhook sign|verify``."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from payroll_sdk.cli import ExitCode, main
from payroll_sdk.webhooks import verify

BODY = b'{"event": "paystubs.added", "event_id": "evt_1", "payload": {"end_user_id": "u1"}}'
SECRET = "whsec-test-3f9a"


def _sign(stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]) -> list[str]:
    stdin(BODY)
    assert main(["webhook", "sign", "--secret", SECRET]) == ExitCode.OK
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

    assert main(["webhook", "verify", "--secret", SECRET, *header_options]) == ExitCode.OK

    captured = capsys.readouterr()
    event = json.loads(captured.out)
    assert event["event"] == "paystubs.added"
    assert event["payload"]["end_user_id"] == "u1"
    assert "DataAddedEvent" in captured.err


def test_verify_with_signature_and_timestamp_options_and_env_secret(
    stdin: Callable[[bytes], None],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdin(BODY)
    main(["webhook", "sign", "--secret", SECRET, "--json", "--timestamp", "1700000000"])
    headers = json.loads(capsys.readouterr().out)
    monkeypatch.setenv("PAYROLL_API_SECRET", SECRET)
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

    assert main(["webhook", "verify", "--secret", SECRET, *header_options]) == ExitCode.FAILURE

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "(mismatch)" in captured.err


def test_verify_stale_timestamp(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    main(["webhook", "sign", "--secret", SECRET, "--json", "--timestamp", "1700000000"])
    headers = json.loads(capsys.readouterr().out)
    stdin(BODY)

    argv = ["webhook", "verify", "--secret", SECRET, "--signature", headers["x-pinwheel-signature"]]
    assert main([*argv, "--timestamp", "1700000000"]) == ExitCode.FAILURE
    assert "(stale)" in capsys.readouterr().err


def test_verify_missing_headers(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    assert main(["webhook", "verify", "--secret", SECRET]) == ExitCode.FAILURE
    assert "(missing_header)" in capsys.readouterr().err


def test_malformed_header_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhook", "verify", "--secret", SECRET, "--header", "no-colon"]) == 2
    assert "NAME: VALUE" in capsys.readouterr().err


def test_no_secret_is_a_configuration_error(
    stdin: Callable[[bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(BODY)
    assert main(["webhook", "sign"]) == ExitCode.CONFIGURATION
    assert "--secret" in capsys.readouterr().err
