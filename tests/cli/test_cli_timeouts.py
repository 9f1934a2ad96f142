"""``--timeout`` / ``--deadline``: a server that accepts but never answers is given up on, and
the wait is not silent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from payroll_sdk.cli import ExitCode, _common, main


@pytest.fixture
def silent_server() -> Iterator[str]:
    """The base URL of a server that accepts connections and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for connection in held:
            connection.close()


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", "test-secret-value")


def test_timeout_gives_up_on_a_silent_server(
    silent_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["profile", "user_1", "--base-url", silent_server, "--timeout", "0.2"]
    assert main([*argv, "--max-retries", "0"]) == ExitCode.API

    err = capsys.readouterr().err
    assert "cannot reach the API" in err
    assert "timed out" in err
    assert "Traceback" not in err


def test_deadline_bounds_the_whole_call(
    silent_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The per-attempt timeout alone (30 s by default) would keep this waiting far longer.
    assert main(["profile", "user_1", "--base-url", silent_server, "--deadline", "0.3"]) == 5
    assert "deadline passed" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["profile", "report"])
def test_the_wait_is_announced_on_stderr(
    command: str,
    silent_server: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(_common, "WAITING_NOTICE_AFTER", 0.05)
    assert main([command, "user_1", "--base-url", silent_server, "--deadline", "0.5"]) == 5

    err = capsys.readouterr().err
    assert "still waiting for 127.0.0.1 (gives up after 0.5 s;" in err
    assert err.count("still waiting") == 1


def test_a_quick_answer_is_not_announced(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "user_single", "--sandbox", "--deadline", "30"]) == ExitCode.OK
    assert "still waiting" not in capsys.readouterr().err


def test_profiles_takes_the_same_options(
    silent_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("user_1\nuser_2\n")
    argv = ["profiles", "--ids", str(ids), "--base-url", silent_server, "--deadline", "0.3"]
    assert main(argv) == ExitCode.SOME_FAILED

    captured = capsys.readouterr()
    assert captured.out.count('"status": "failed"') == 2
    assert "DeadlineExceededError" in captured.out


@pytest.mark.parametrize(
    ("option", "value"),
    [("--timeout", "0"), ("--timeout", "soon"), ("--deadline", "-1"), ("--deadline", "nan")],
)
def test_bad_seconds_are_usage_errors(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profile", "user_single", "--sandbox", option, value]) == ExitCode.USAGE
    assert option in capsys.readouterr().err
