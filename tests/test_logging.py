"""The ``payroll_sdk`` logger: one line per attempt, PAYROLL_LOG, and no secret ever logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import DeadlineExceededError, InternalServerError, PayrollClient, _logging
from payroll_sdk._logging import RedactingFilter, logger, redact, register_secret

PATH = "/accounts/acc_1/income"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="payroll_sdk")
    return caplog


def _sdk_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("payroll_sdk")]


def _all_text(caplog: pytest.LogCaptureFixture) -> str:
    records = _sdk_records(caplog)
    return (
        caplog.text
        + "\n".join(r.getMessage() for r in records)
        + repr([(r.msg, r.args) for r in records])
    )


async def test_one_info_line_per_attempt(
    client: PayrollClient,
    api: respx.MockRouter,
    load_fixture: Any,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(503, headers={"x-request-id": "req_a"}),
            httpx.ConnectError("refused"),
            httpx.Response(
                200, json=load_fixture("income.json"), headers={"x-request-id": "req_c"}
            ),
        ]
    )
    await client.income.get("acc_1")

    info = [r for r in _sdk_records(debug_logs) if r.levelno == logging.INFO]
    assert len(info) == 3
    first, second, third = (r.getMessage() for r in info)
    for line, attempt in ((first, 1), (second, 2), (third, 3)):
        assert line.startswith(f"GET {PATH} ")
        assert f"attempt={attempt}" in line
    assert "status=503" in first and "request_id=req_a" in first
    assert "status=-" in second and "error=ConnectError" in second
    assert "status=200" in third and "request_id=req_c" in third
    # The retries themselves are explained at DEBUG.
    debug = [r.getMessage() for r in _sdk_records(debug_logs) if r.levelno == logging.DEBUG]
    assert len(debug) == 2
    assert "InternalServerError" in debug[0] and "APIConnectionError" in debug[1]


async def test_an_attempt_cut_by_the_deadline_is_logged(
    client: PayrollClient, api: respx.MockRouter, debug_logs: pytest.LogCaptureFixture
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200)  # pragma: no cover

    api.get(PATH).mock(side_effect=slow)
    with pytest.raises(DeadlineExceededError):
        await client.with_options(deadline=0.02).income.get("acc_1")
    info = [r.getMessage() for r in _sdk_records(debug_logs) if r.levelno == logging.INFO]
    assert len(info) == 1
    assert f"GET {PATH} status=- " in info[0]
    assert "attempt=1" in info[0] and "error=DeadlineExceeded" in info[0]


async def test_nothing_is_logged_below_the_level_asked_for(
    client: PayrollClient,
    api: respx.MockRouter,
    load_fixture: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="payroll_sdk")
    api.get(PATH).respond(200, json=load_fixture("income.json"))
    await client.income.get("acc_1")
    assert _sdk_records(caplog) == []


async def test_the_secret_never_reaches_a_record(
    client: PayrollClient,
    api: respx.MockRouter,
    secret: str,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    api.get(PATH).respond(
        500,
        json={"error": {"type": "X", "message": f"echo {secret}"}},
        headers={"x-request-id": secret},
    )
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=1).income.get("acc_1")

    log = logging.getLogger("payroll_sdk")
    log.debug("x-api-secret: %s", secret)
    log.debug("headers=%s", {"X-API-SECRET": secret, "Accept": "application/json"})
    log.info("the secret is %s", secret)
    log.warning(f"formatted in advance: {secret}")
    log.error("X-API-SECRET=%s", "not-registered-but-a-header-value")

    assert len(_sdk_records(debug_logs)) >= 7
    text = _all_text(debug_logs)
    assert secret not in text
    assert "not-registered-but-a-header-value" not in text
    assert "[REDACTED]" in text


def test_a_logged_exception_does_not_carry_the_secret(
    debug_logs: pytest.LogCaptureFixture, secret: str
) -> None:
    register_secret(secret)
    try:
        raise RuntimeError(f"request failed with X-API-SECRET {secret}")
    except RuntimeError:
        logger.exception("call failed")
    assert secret not in debug_logs.text
    assert "call failed" in debug_logs.text
    assert "RuntimeError" in debug_logs.text


def test_redact() -> None:
    register_secret("sk_registered_123")
    assert redact("a sk_registered_123 b") == "a [REDACTED] b"
    assert redact("X-Api-Secret: abc") == "X-Api-Secret: [REDACTED]"
    assert redact("{'x-api-secret': 'abc', 'a': 1}") == "{'x-api-secret': '[REDACTED]', 'a': 1}"
    assert redact('"X-API-SECRET"="abc"') == '"X-API-SECRET"="[REDACTED]"'
    assert redact("nothing to hide") == "nothing to hide"


def test_the_filter_keeps_records_and_leaves_clean_ones_alone() -> None:
    record = logging.LogRecord("payroll_sdk", logging.INFO, __file__, 1, "plain %s", ("x",), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "plain x"


# -- PAYROLL_LOG ------------------------------------------------------------------------------


@pytest.fixture
def fresh_logging_state() -> Iterator[None]:
    """Undo whatever setup_logging() does, so each test sees a process that never ran it."""
    handlers = list(logger.handlers)
    level = logger.level
    configured = _logging._configured
    _logging._configured = False
    try:
        yield
    finally:
        for handler in logger.handlers:
            if handler not in handlers:
                logger.removeHandler(handler)
        logger.setLevel(level)
        _logging._configured = configured


@pytest.mark.usefixtures("fresh_logging_state")
@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), (" INFO ", logging.INFO)])
def test_payroll_log_attaches_a_redacting_handler(
    value: str,
    level: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret: str,
) -> None:
    monkeypatch.setenv("PAYROLL_LOG", value)
    before = list(logger.handlers)
    PayrollClient(api_secret=secret)
    PayrollClient(api_secret=secret)  # idempotent: still one handler
    added = [h for h in logger.handlers if h not in before]
    assert len(added) == 1
    assert logger.level == level

    logger.warning("secret=%s", secret)
    err = capsys.readouterr().err
    assert "payroll_sdk WARNING secret=[REDACTED]" in err
    assert secret not in err


@pytest.mark.usefixtures("fresh_logging_state")
@pytest.mark.parametrize("value", [None, "", "off", "verbose"])
def test_no_handler_unless_payroll_log_asks(
    value: str | None, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    if value is None:
        monkeypatch.delenv("PAYROLL_LOG", raising=False)
    else:
        monkeypatch.setenv("PAYROLL_LOG", value)
    before = list(logger.handlers)
    PayrollClient(api_secret=secret)
    assert logger.handlers == before
