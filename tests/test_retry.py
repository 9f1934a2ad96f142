"""The retry policy: what is retried, how often, how long we wait, and Retry-After."""

from __future__ import annotations

import email.utils
import json
import random
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayrollClient,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    _retry,
)
from payroll_sdk._retry import (
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    backoff_delay,
    is_retryable_status,
    parse_retry_after,
)

PATH = "/accounts/acc_1/income"


def _error_body(status: int, type_: str = "SOME_ERROR") -> dict[str, Any]:
    return {"error": {"type": type_, "code": "x", "message": "nope", "status_code": status}}


# -- the status matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (408, APIStatusError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
    ],
)
@pytest.mark.parametrize("max_retries", [0, 1, 3])
async def test_retried_statuses_are_retried_then_raise(
    status: int,
    error_class: type[APIStatusError],
    max_retries: int,
    client: PayrollClient,
    api: respx.MockRouter,
    fake_time: Any,
) -> None:
    route = api.get(PATH).respond(status, json=_error_body(status))
    with pytest.raises(error_class) as info:
        await client.with_options(max_retries=max_retries).income.get("acc_1")
    assert type(info.value) is error_class
    assert info.value.status_code == status
    assert info.value.attempts == max_retries + 1
    assert route.call_count == max_retries + 1
    assert len(fake_time.sleeps) == max_retries


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
    ],
)
async def test_other_statuses_raise_at_once(
    status: int,
    error_class: type[APIStatusError],
    client: PayrollClient,
    api: respx.MockRouter,
    fake_time: Any,
) -> None:
    route = api.get(PATH).respond(status, json=_error_body(status))
    with pytest.raises(error_class) as info:
        await client.with_options(max_retries=3).income.get("acc_1")
    assert type(info.value) is error_class
    assert info.value.status_code == status
    assert info.value.attempts == 1
    assert route.call_count == 1
    assert fake_time.sleeps == []


async def test_x_should_retry_true_retries_a_400(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    route = api.get(PATH).respond(400, json=_error_body(400), headers={"x-should-retry": "true"})
    with pytest.raises(BadRequestError) as info:
        await client.with_options(max_retries=2).income.get("acc_1")
    assert info.value.attempts == 3
    assert route.call_count == 3


async def test_x_should_retry_false_stops_a_503(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    route = api.get(PATH).respond(503, headers={"x-should-retry": "false"})
    with pytest.raises(InternalServerError) as info:
        await client.with_options(max_retries=2).income.get("acc_1")
    assert info.value.attempts == 1
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("httpx_error", "sdk_error"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("peer closed"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
    ],
)
async def test_transport_errors_are_retried_and_chained(
    httpx_error: httpx.TransportError,
    sdk_error: type[APIConnectionError],
    client: PayrollClient,
    api: respx.MockRouter,
) -> None:
    route = api.get(PATH).mock(side_effect=httpx_error)
    with pytest.raises(sdk_error) as info:
        await client.with_options(max_retries=2).income.get("acc_1")
    assert type(info.value) is sdk_error
    assert info.value.attempts == 3
    assert route.call_count == 3
    assert isinstance(info.value.__cause__, type(httpx_error))
    assert info.value.path == PATH


async def test_invalid_json_is_retried_and_keeps_an_excerpt(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    body = "<html><body>" + "Gateway hiccup " * 40 + "</body></html>"
    route = api.get(PATH).respond(200, text=body, headers={"x-request-id": "req_9"})
    with pytest.raises(ResponseValidationError) as info:
        await client.with_options(max_retries=2).income.get("acc_1")
    err = info.value
    assert route.call_count == 3
    assert err.attempts == 3
    assert err.body_excerpt.startswith("<html><body>Gateway hiccup")
    assert len(err.body_excerpt) <= 200
    assert err.status_code == 200
    assert err.request_id == "req_9"
    assert "not valid JSON" in str(err)


async def test_a_truncated_body_is_retried_until_it_is_whole(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    good = httpx.Response(200, json=load_fixture("income.json"))
    route = api.get(PATH).mock(side_effect=[httpx.Response(200, text='{"data": {"id"'), good])
    result = await client.income.get("acc_1")
    assert route.call_count == 2
    assert result.attempts == 2


@pytest.mark.parametrize(
    "body",
    [
        {"meta": {}},
        {"data": {"id": 5}},
        {"data": ["not", "an", "object"]},
        [],
        None,
        "a string",
        42,
    ],
)
async def test_valid_json_of_the_wrong_shape_is_not_retried(
    body: Any, client: PayrollClient, api: respx.MockRouter
) -> None:
    route = api.get(PATH).respond(200, text=json.dumps(body))
    with pytest.raises(ResponseValidationError) as info:
        await client.with_options(max_retries=3).income.get("acc_1")
    assert route.call_count == 1
    assert info.value.attempts == 1
    assert "documented shape" in str(info.value)
    assert isinstance(info.value.__cause__, Exception)


async def test_success_after_failures_reports_attempts(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(503),
            httpx.ConnectError("refused"),
            httpx.Response(200, json=load_fixture("income.json"), headers={"x-request-id": "r3"}),
        ]
    )
    result = await client.with_options(max_retries=2).income.get("acc_1")
    assert result.attempts == 3
    assert result.request_id == "r3"


async def test_first_time_success_reports_one_attempt(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any, fake_time: Any
) -> None:
    api.get(PATH).respond(200, json=load_fixture("income.json"))
    result = await client.income.get("acc_1")
    assert result.attempts == 1
    assert result.request_id is None
    assert fake_time.sleeps == []


# -- backoff ----------------------------------------------------------------------------------


def test_backoff_delay_doubles_within_jitter_and_is_capped() -> None:
    rng = random.Random(1234)
    for retries_taken in range(10):
        nominal = min(INITIAL_BACKOFF * 2**retries_taken, MAX_BACKOFF)
        for _ in range(50):
            delay = backoff_delay(retries_taken, rng=rng)
            assert 0.75 * nominal <= delay <= nominal


@pytest.mark.parametrize("retries_taken", [1023, 1024, 5000, 10**6])
def test_backoff_delay_stays_capped_after_very_many_retries(retries_taken: int) -> None:
    # max_retries is unbounded: "retry for hours" must not end in an OverflowError.
    assert 0.75 * MAX_BACKOFF <= backoff_delay(retries_taken) <= MAX_BACKOFF


def test_backoff_delay_is_reproducible_with_a_seeded_rng() -> None:
    first = [backoff_delay(n, rng=random.Random(7)) for n in range(6)]
    second = [backoff_delay(n, rng=random.Random(7)) for n in range(6)]
    assert first == second
    # The jitter is real: not every draw lands on the nominal delay.
    assert len({backoff_delay(0, rng=random.Random(seed)) for seed in range(20)}) > 1


def test_backoff_delay_bounds_at_the_jitter_extremes() -> None:
    class Fixed(random.Random):
        def __init__(self, value: float) -> None:
            super().__init__()
            self.value = value

        def random(self) -> float:
            return self.value

    assert backoff_delay(0, rng=Fixed(0.0)) == 0.5
    assert backoff_delay(1, rng=Fixed(0.0)) == 1.0
    assert backoff_delay(2, rng=Fixed(0.99999)) == pytest.approx(2 * 0.75, rel=1e-4)
    assert backoff_delay(30, rng=Fixed(0.0)) == MAX_BACKOFF


async def test_recorded_sleeps_grow_exponentially_and_cap(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    api.get(PATH).respond(503)
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=7, deadline=None).income.get("acc_1")
    assert len(fake_time.sleeps) == 7
    nominal = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    for slept, expected in zip(fake_time.sleeps, nominal, strict=True):
        assert 0.75 * expected <= slept <= expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "150"}, 0.15),
        ({"retry-after-ms": "150", "retry-after": "9"}, 0.15),
    ],
)
async def test_retry_after_is_honoured_exactly(
    headers: dict[str, str],
    expected: float,
    client: PayrollClient,
    api: respx.MockRouter,
    fake_time: Any,
    load_fixture: Any,
) -> None:
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(429, headers=headers, json=_error_body(429, "RATE_LIMITED")),
            httpx.Response(200, json=load_fixture("income.json")),
        ]
    )
    result = await client.income.get("acc_1")
    assert fake_time.sleeps == [expected]
    assert result.attempts == 2


async def test_retry_after_http_date_is_honoured(
    client: PayrollClient,
    api: respx.MockRouter,
    fake_time: Any,
    load_fixture: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wall = 1_750_000_000.0
    monkeypatch.setattr(_retry, "time", SimpleNamespace(time=lambda: wall))
    when = email.utils.formatdate(wall + 3, usegmt=True)
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after": when}),
            httpx.Response(200, json=load_fixture("income.json")),
        ]
    )
    await client.income.get("acc_1")
    assert fake_time.sleeps == [3.0]


@pytest.mark.parametrize(
    ("cap", "asked"),
    [(None, "61"), (None, "3600"), (5.0, "6"), (0.0, "1")],
)
async def test_retry_after_above_the_cap_raises_at_once(
    cap: float | None,
    asked: str,
    client: PayrollClient,
    api: respx.MockRouter,
    fake_time: Any,
) -> None:
    route = api.get(PATH).respond(
        429, headers={"retry-after": asked}, json=_error_body(429, "RATE_LIMITED")
    )
    configured = client if cap is None else client.with_options(retry_after_cap=cap)
    with pytest.raises(RateLimitError) as info:
        await configured.income.get("acc_1")
    assert info.value.retry_after == float(asked)
    assert info.value.attempts == 1
    assert route.call_count == 1
    assert fake_time.sleeps == []


async def test_retry_after_cap_from_the_constructor(
    api: respx.MockRouter, secret: str, base_url: str
) -> None:
    route = api.get(PATH).respond(429, headers={"retry-after": "11"})
    async with PayrollClient(api_secret=secret, base_url=base_url, retry_after_cap=10) as client:
        with pytest.raises(RateLimitError) as info:
            await client.income.get("acc_1")
    assert info.value.retry_after == 11.0
    assert route.call_count == 1


async def test_rate_limit_error_without_retry_after(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    api.get(PATH).respond(429)
    with pytest.raises(RateLimitError) as info:
        await client.with_options(max_retries=0).income.get("acc_1")
    assert info.value.retry_after is None


# -- the pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status, {})
    assert not is_retryable_status(status, {"x-should-retry": "false"})


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 418, 422])
def test_non_retryable_statuses(status: int) -> None:
    assert not is_retryable_status(status, {})
    assert is_retryable_status(status, {"x-should-retry": " TRUE "})


def test_x_should_retry_nonsense_falls_back_to_the_table() -> None:
    assert is_retryable_status(503, {"x-should-retry": "maybe"})
    assert not is_retryable_status(400, {"x-should-retry": "maybe"})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "-5", "retry-after": "2"}, 2.0),
        ({"retry-after-ms": "nan", "retry-after": "2"}, 2.0),
        ({"retry-after-ms": "abc"}, None),
        ({"retry-after-ms": "inf"}, None),
        ({"retry-after-ms": "1e400", "retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=1_750_000_000.0) == expected


def test_parse_retry_after_http_date_in_the_future() -> None:
    now = 1_750_000_000.0
    header = email.utils.formatdate(now + 42, usegmt=True)
    assert parse_retry_after({"retry-after": header}, now=now) == 42.0


def test_is_retryable_holds_the_whole_rule() -> None:
    from payroll_sdk import DeadlineExceededError
    from payroll_sdk._retry import is_retryable

    def status(code: int, **headers: str) -> APIStatusError:
        response = httpx.Response(code, headers=headers, request=httpx.Request("GET", "https://x"))
        return APIStatusError("x", response=response)

    assert is_retryable(APIConnectionError("x"), retry_after_cap=60)
    assert is_retryable(APITimeoutError("x"), retry_after_cap=60)
    assert not is_retryable(DeadlineExceededError("x"), retry_after_cap=60)
    assert is_retryable(status(503), retry_after_cap=60)
    assert not is_retryable(status(503, **{"retry-after": "120"}), retry_after_cap=60)
    assert not is_retryable(status(400), retry_after_cap=60)
    assert is_retryable(status(400, **{"x-should-retry": "true"}), retry_after_cap=60)
    assert not is_retryable(ValueError("x"), retry_after_cap=60)
