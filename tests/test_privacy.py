"""Neither the API secret nor an end user's sensitive data leaks into text.

Whole profiles are fetched from a sandbox on loopback, once cleanly and once with faults that
drive the error paths (5xx, HTML pages, malformed and truncated bodies, dropped connections,
identity and deposit bodies cut short, a wrong secret). Everything a program might print or
log is gathered: every log record of ``payroll_sdk``, ``httpx`` and ``httpcore`` at DEBUG, the
``PAYROLL_LOG=debug`` handler's output, ``repr()`` and ``str()`` of every model, result and
error, and the formatted tracebacks of every error with their causes. None of it may hold the
secret, the SSN digits, the date of birth, the bank account or routing numbers or the address
lines, which must still be there as attributes and in ``model_dump()``.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from datetime import date
from typing import Any

import pydantic
import pytest

import payroll_sdk._logging as sdk_logging
from payroll_sdk import (
    AuthenticationError,
    PayrollClient,
    PayrollError,
    PayrollProfile,
    ResponseValidationError,
)
from payroll_sdk.sandbox import SandboxConfig, SandboxData, SandboxServer

SECRET = "sk_sandbox_Pr1v4cy_7Qm2xZ"
WRONG_SECRET = "sk_sandbox_Wr0ng_k8Jd3V"
TODAY = date(2026, 3, 15)
USERS = ("user_single", "user_three_jobs")
# Applied per request (each request key): the first attempts fail in many ways, the last
# succeeds, except identity, whose body is cut short on every attempt so it ends failed.
FAULTS = (
    "identity=truncated*3,direct_deposit_allocations=truncated*1,income=500*1,"
    "employment=malformed*1,paystubs=502-html*1,shifts=drop*1,accounts=503*1"
)
LOGGERS = ("payroll_sdk", "httpx", "httpcore")


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    config = SandboxConfig(secret=SECRET, today=TODAY, history_months=2)
    with SandboxServer(config) as running:
        yield running


@pytest.fixture
def payroll_log_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[None]:
    """``PAYROLL_LOG=debug`` as a user would set it: the next client attaches its handler
    (writing to the captured stderr); the handler is removed afterwards."""
    monkeypatch.setenv("PAYROLL_LOG", "debug")
    monkeypatch.setattr(sdk_logging, "_configured", False)
    logger = logging.getLogger("payroll_sdk")
    handlers, level = list(logger.handlers), logger.level
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


def needles(end_user_id: str) -> dict[str, list[str]]:
    """The user's sensitive values, each as the text patterns that would reveal it."""
    truth = SandboxData(seed=0, history_months=2, today=TODAY).user(end_user_id)
    found: dict[str, list[str]] = {"secret": [SECRET], "wrong secret": [WRONG_SECRET]}
    for account in truth.accounts:
        identity = account.identity
        assert identity is not None
        ssn = identity["last_four_ssn"]
        # Four digits alone also occur inside amounts and ids: look for them as a value.
        found[f"ssn {ssn}"] = [f"'{ssn}'", f'"{ssn}"', f"last_four_ssn={ssn}"]
        born = date.fromisoformat(identity["date_of_birth"])
        found[f"dob {born}"] = [born.isoformat(), f"date({born.year}, {born.month}, {born.day})"]
        address = identity["address"]
        for key in ("line1", "line2", "raw"):
            if key in address:
                found[f"address {key}"] = [address[key]]
        deposits = account.direct_deposit_allocations
        assert deposits is not None
        for allocation in deposits["allocations"]:
            number = allocation["masked_account_number"]
            found[f"account number {number}"] = [
                f"'{number}'",
                f'"{number}"',
                f"masked_account_number={number}",
            ]
            found[f"routing {allocation['routing_number']}"] = [allocation["routing_number"]]
    return found


def assert_no_leak(text: str, patterns: dict[str, list[str]]) -> None:
    leaks = {what: p for what, ps in patterns.items() for p in ps if p in text}
    where = {p: text[max(0, text.index(p) - 150) : text.index(p) + 50] for p in leaks.values()}
    assert not leaks, f"leaked: {leaks} in {where}"


def texts_of(value: Any) -> Iterator[str]:
    """``repr`` and ``str`` of ``value`` and of every model, list and error inside it.

    Plain attribute values (a ``str`` field) are not rendered on their own: they are meant to
    hold the data; what must not is the text of the objects holding them.
    """
    if isinstance(value, str | int | float | bool | date | type(None)):
        return
    yield repr(value)
    yield str(value)
    if isinstance(value, pydantic.BaseModel):
        for name in type(value).model_fields:
            yield from texts_of(getattr(value, name))
        for extra in (value.model_extra or {}).values():
            yield from texts_of(extra)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts_of(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts_of(item)
    elif isinstance(value, BaseException):
        yield "".join(traceback.format_exception(value))
        for attribute in ("body_excerpt", "message", "body"):
            if hasattr(value, attribute):
                yield str(getattr(value, attribute))
        profile = getattr(value, "profile", None)
        if profile is not None:
            yield from texts_of(profile)


async def fetch_everything(client: PayrollClient) -> list[Any]:
    """Profiles (direct and batched) and every error, raised or reported."""
    gathered: list[Any] = []
    for end_user_id in USERS:
        try:
            gathered.append(await client.get_profile(end_user_id))
        except PayrollError as exc:
            gathered.append(exc)
        try:
            await client.get_profile(end_user_id, strict=True)
        except PayrollError as exc:
            gathered.append(exc)
    async for result in client.get_profiles(USERS, concurrency=2):
        gathered += [result, result.profile, result.error]
    return gathered


def capture_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


async def test_nothing_secret_or_personal_leaks_from_a_faulty_fetch(
    server: SandboxServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    payroll_log_debug: None,
) -> None:
    capture_debug_logs(caplog)
    gathered: list[Any] = []
    faulty = PayrollClient(
        api_secret=SECRET,
        base_url=server.base_url,
        default_headers={"X-Sandbox-Faults": FAULTS},
    )
    async with faulty:
        gathered += await fetch_everything(faulty)
    async with PayrollClient(api_secret=SECRET, base_url=server.base_url) as clean:
        gathered += await fetch_everything(clean)
    async with PayrollClient(api_secret=WRONG_SECRET, base_url=server.base_url) as wrong:
        gathered += await fetch_everything(wrong)
    # Cut-short identity and deposit bodies raised to the caller, excerpt and all.
    cut_short = PayrollClient(
        api_secret=SECRET,
        base_url=server.base_url,
        max_retries=0,
        default_headers={
            "X-Sandbox-Faults": "identity=truncated*9,direct_deposit_allocations=truncated*9"
        },
    )
    account_ids = [
        str(a.account.id) for g in gathered if isinstance(g, PayrollProfile) for a in g.accounts
    ]
    async with cut_short:
        for account_id in sorted(set(account_ids)):
            for fetch in (cut_short.identity.get, cut_short.direct_deposit_allocations.get):
                with pytest.raises(ResponseValidationError) as raised:
                    await fetch(account_id)
                assert raised.value.body_excerpt
                gathered.append(raised.value)

    # The error paths really ran, and the clean fetch really holds the data checked for.
    errors = [g for g in gathered if isinstance(g, PayrollError)]
    assert any(isinstance(e, AuthenticationError) for e in errors)
    profiles = [g for g in gathered if isinstance(g, PayrollProfile)]
    failed = {p.reason.error for g in profiles for p in g.problems if p.reason}
    assert "ResponseValidationError" in failed  # the identity bodies cut short
    complete = [p for p in profiles if p.complete]
    assert complete

    texts = [text for item in gathered for text in texts_of(item)]
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    handler_output = capsys.readouterr().err
    assert "attempt=2" in handler_output  # the PAYROLL_LOG handler saw the retries
    for end_user_id in USERS:
        patterns = needles(end_user_id)
        assert_no_leak(logs, patterns)
        assert_no_leak(handler_output, patterns)
        for text in texts:
            assert_no_leak(text, patterns)

    # The patterns do find the values when they are printed unmasked.
    first_account = complete[0].accounts[0]
    with pytest.raises(AssertionError, match="leaked"):
        assert_no_leak(str(first_account.model_dump()), needles(complete[0].end_user_id))

    # Still reachable by code that asks for it.
    truth = SandboxData(seed=0, history_months=2, today=TODAY)
    for profile in complete:
        for account, want in zip(
            profile.accounts, truth.user(profile.end_user_id).accounts, strict=True
        ):
            assert want.identity is not None and want.direct_deposit_allocations is not None
            assert account.identity is not None
            assert account.identity.last_four_ssn == want.identity["last_four_ssn"]
            dumped = account.model_dump(mode="json")
            assert dumped["identity"]["date_of_birth"] == want.identity["date_of_birth"]
            assert dumped["identity"]["address"]["line1"] == want.identity["address"]["line1"]
            allocations = dumped["direct_deposit_allocations"]["allocations"]
            assert [a["routing_number"] for a in allocations] == [
                a["routing_number"] for a in want.direct_deposit_allocations["allocations"]
            ]
            assert want.identity["date_of_birth"] in account.model_dump_json()


def attempt_lines(text: str, path: str) -> list[str]:
    return [line for line in text.splitlines() if f"GET {path} status=" in line]


async def test_payroll_log_debug_writes_one_line_per_attempt(
    server: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    payroll_log_debug: None,
) -> None:
    async with PayrollClient(
        api_secret=SECRET,
        base_url=server.base_url,
        default_headers={"X-Sandbox-Faults": "income=500*1,identity=429-bare*2"},
    ) as client:
        profile = await client.get_profile("user_single")
    assert profile.complete
    account_id = str(profile.accounts[0].account.id)
    err = capsys.readouterr().err

    line = r"GET {path} status={status} elapsed_ms=\d+\.\d attempt={n} request_id=req_\S+$"
    income = attempt_lines(err, f"/accounts/{account_id}/income")
    assert len(income) == 2 == profile.accounts[0].status["income"].attempts
    assert re.search(
        line.format(path=re.escape(f"/accounts/{account_id}/income"), status=500, n=1), income[0]
    )
    assert re.search(
        line.format(path=re.escape(f"/accounts/{account_id}/income"), status=200, n=2), income[1]
    )
    identity = attempt_lines(err, f"/accounts/{account_id}/identity")
    assert [re.search(r"status=(\d+)", x).group(1) for x in identity] == ["429", "429", "200"]  # type: ignore[union-attr]
    employment = attempt_lines(err, f"/accounts/{account_id}/employment")
    assert len(employment) == 1 and "attempt=1" in employment[0]
    assert SECRET not in err
