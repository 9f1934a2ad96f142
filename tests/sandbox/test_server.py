"""Running for real: SandboxServer over loopback, SandboxProcess and the CLI parser."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from payroll_sdk.sandbox import (
    DEFAULT_SECRET,
    FaultConfig,
    LatencyConfig,
    SandboxConfig,
    SandboxProcess,
    SandboxServer,
)
from payroll_sdk.sandbox.__main__ import build_arg_parser, config_from_args
from payroll_sdk.sandbox._server import sandbox_cli_args, sandbox_env

HEADERS = {"Pinwheel-Version": "2025-07-08"}


def test_server_serves_over_loopback() -> None:
    with SandboxServer(SandboxConfig(secret="s3cret")) as server:
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
        with httpx.Client(
            base_url=server.base_url, headers={**HEADERS, "X-API-SECRET": server.secret}
        ) as client:
            response = client.get("/end_users/user_single/accounts")
            assert response.status_code == 200
            assert response.json()["meta"]["count"] == 1
            assert response.headers["x-request-id"].startswith("req_")
        assert server.stats.total == 1
    with pytest.raises(RuntimeError):
        _ = server.base_url


def test_drop_over_loopback_is_an_incomplete_read() -> None:
    with (
        SandboxServer() as server,
        httpx.Client(
            base_url=server.base_url, headers={**HEADERS, "X-API-SECRET": server.secret}
        ) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/end_users/user_three_jobs/accounts", headers={"X-Sandbox-Faults": "drop"})
        assert client.get("/end_users/user_three_jobs/accounts").status_code == 200
        assert server.stats.faults == {"drop": 1}


def test_start_stop_and_restart() -> None:
    server = SandboxServer()
    server.start()
    first = server.port
    server.stop()
    server.stop()  # idempotent
    server.start()
    try:
        assert httpx.get(f"http://127.0.0.1:{server.port}/_sandbox/health").status_code == 200
    finally:
        server.stop()
    assert first > 0


def test_cli_round_trips_a_config() -> None:
    config = SandboxConfig(
        secret="abc",
        seed=9,
        history_months=36,
        today=date(2026, 1, 2),
        latency=LatencyConfig(ms=5, jitter_ms=2, per_endpoint={"income": 50.0}),
        faults=FaultConfig(rate=0.1, kinds=("500", "429"), seed=4, script="income=503*2",
                           retry_after_seconds=0, slow_seconds=0.5),
    )  # fmt: skip
    args = build_arg_parser().parse_args(["--port", "0", *sandbox_cli_args(config)])
    assert config_from_args(args, sandbox_env(config)) == config
    assert "abc" not in sandbox_cli_args(config)  # the secret never goes on a command line
    assert args.port == 0 and args.host == "127.0.0.1"


def test_cli_rejects_bad_options() -> None:
    with pytest.raises(SystemExit):
        build_arg_parser().parse_args(["--endpoint-latency", "income"])


def test_process_serves_and_reports_stats() -> None:
    with SandboxProcess(SandboxConfig(seed=3, secret="proc")) as process:
        response = httpx.get(
            f"{process.base_url}/end_users/user_single/accounts",
            headers={**HEADERS, "X-API-SECRET": "proc"},
        )
        assert response.status_code == 200
        stats = process.fetch_stats()
        assert stats["requests"] == {"accounts": 1}
        process.reset_stats()
        assert process.fetch_stats()["total"] == 0


def test_the_secret_comes_from_its_own_variable_only() -> None:
    args = build_arg_parser().parse_args([])
    assert config_from_args(args, {}).secret == DEFAULT_SECRET
    # A real API secret in the environment must not become the sandbox's (it gets printed).
    assert config_from_args(args, {"PAYROLL_API_SECRET": "prod-1"}).secret == DEFAULT_SECRET
    assert config_from_args(args, {"PAYROLL_SANDBOX_SECRET": "mine"}).secret == "mine"


def test_secret_on_the_command_line_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_arg_parser().parse_args(["--secret", "typed-secret-1"])
    err = capsys.readouterr().err
    assert "--secret is not accepted" in err and "PAYROLL_SANDBOX_SECRET" in err
    assert "typed-secret-1" not in err
