"""The transport: deadlines, the in-flight bound, the rate limit, retries, odd bodies, closing."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    DeadlineExceededError,
    InternalServerError,
    NotFoundError,
    PayrollClient,
    PayrollError,
    RateLimitError,
)
from payroll_sdk._deadline import current_deadline, deadline_scope

PATH = "/accounts/acc_1/income"


# -- the deadline -----------------------------------------------------------------------------


async def test_a_retry_is_never_scheduled_past_the_deadline(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    route = api.get(PATH).respond(503, headers={"retry-after": "3"})
    with pytest.raises(InternalServerError) as info:
        await client.with_options(max_retries=5, deadline=5.0).income.get("acc_1")
    # Slept 3 s once (ends at 3 < 5); a second 3 s sleep would end at 6 > 5: give up instead.
    assert fake_time.sleeps == [3.0]
    assert route.call_count == 2
    assert info.value.attempts == 2


async def test_backoff_sleeps_stop_before_the_deadline(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    api.get(PATH).respond(502)
    start = fake_time.now
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=50, deadline=10.0).income.get("acc_1")
    assert fake_time.sleeps, "expected some retries within 10 s"
    assert fake_time.now - start < 10.0
    assert len(fake_time.sleeps) < 50


async def test_deadline_none_lets_retries_run_past_the_default(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    api.get(PATH).respond(503, headers={"retry-after": "50"})
    with pytest.raises(InternalServerError) as bounded:
        await client.with_options(max_retries=3).income.get("acc_1")
    assert bounded.value.attempts == 2  # the default 60 s deadline allows one 50 s sleep

    fake_time.sleeps.clear()
    with pytest.raises(InternalServerError) as unbounded:
        await client.with_options(max_retries=3, deadline=None).income.get("acc_1")
    assert unbounded.value.attempts == 4
    assert fake_time.sleeps == [50.0, 50.0, 50.0]


async def test_a_slow_request_ends_at_the_deadline(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    started: list[bool] = []
    finished: list[bool] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        started.append(True)
        await asyncio.sleep(1)
        finished.append(True)
        return httpx.Response(200, json={})

    api.get(PATH).mock(side_effect=slow)
    with pytest.raises(DeadlineExceededError) as info:
        await client.with_options(deadline=0.05, max_retries=3).income.get("acc_1")
    assert isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, TimeoutError)
    assert started == [True]  # the deadline is not retried
    assert finished == []  # cut short, not waited out
    assert client.requests_in_flight == 0


async def test_deadline_scope_bounds_calls_inside_it(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    api.get(PATH).respond(503, headers={"retry-after": "3"})
    unbounded = client.with_options(max_retries=5, deadline=None)
    with deadline_scope(5.0, clock=fake_time):
        assert current_deadline() == fake_time.now + 5.0
        with pytest.raises(InternalServerError) as info:
            await unbounded.income.get("acc_1")
    assert current_deadline() is None
    assert fake_time.sleeps == [3.0]
    assert info.value.attempts == 2


async def test_the_scope_wins_over_a_longer_call_deadline(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200, json={})

    api.get(PATH).mock(side_effect=slow)
    with deadline_scope(0.05, clock=fake_time), pytest.raises(DeadlineExceededError):
        await client.with_options(deadline=30.0).income.get("acc_1")


async def test_the_scope_reaches_tasks_created_inside_it(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    api.get(PATH).respond(503, headers={"retry-after": "3"})
    unbounded = client.with_options(max_retries=5, deadline=None)
    with deadline_scope(5.0, clock=fake_time):
        task = asyncio.create_task(unbounded.income.get("acc_1"))
    with pytest.raises(InternalServerError) as info:
        await task
    assert info.value.attempts == 2


async def test_a_deadline_already_past_sends_nothing(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    route = api.get(PATH).respond(200, json={})
    with deadline_scope(1.0, clock=fake_time):
        fake_time.now += 2.0
        with pytest.raises(DeadlineExceededError):
            await client.income.get("acc_1")
    assert route.call_count == 0


# -- the in-flight bound and the rate limit ---------------------------------------------------


class Crowd:
    """A slow route that counts requests in flight and holds them until ``release()``.

    ``full`` is set once ``bound`` requests are inside at once, so a test can check that no
    more get in while they are held, without depending on timing.
    """

    def __init__(self, bound: int, body: Any) -> None:
        self.bound = bound
        self.body = body
        self.in_flight = 0
        self.peak = 0
        self.full = asyncio.Event()
        self._gate = asyncio.Event()

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        if self.in_flight >= self.bound:
            self.full.set()
        await self._gate.wait()
        await asyncio.sleep(0)
        self.in_flight -= 1
        return httpx.Response(200, json=self.body)

    async def hold_then_release(self) -> None:
        await asyncio.wait_for(self.full.wait(), timeout=10)
        for _ in range(50):  # plenty of chances for an extra request to slip in
            await asyncio.sleep(0)
        assert self.in_flight == self.bound
        self._gate.set()


async def test_max_in_flight_bounds_concurrent_requests(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    crowd = Crowd(3, load_fixture("income.json"))
    route = api.get(PATH).mock(side_effect=crowd.handler)
    async with PayrollClient(api_secret=secret, base_url=base_url, max_in_flight=3) as client:
        calls = asyncio.gather(*(client.income.get("acc_1") for _ in range(10)))
        await crowd.hold_then_release()
        assert client.requests_in_flight == 3
        results = await calls
        assert client.requests_in_flight == 0
        assert client._transport.limiter.peak_in_flight == 3
    assert len(results) == 10
    assert route.call_count == 10
    assert crowd.peak == 3


async def test_in_flight_returns_to_zero_after_errors_and_cancellation(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    api.get(PATH).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError):
        await client.with_options(max_retries=1).income.get("acc_1")
    assert client.requests_in_flight == 0

    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(10)
        return httpx.Response(200)  # pragma: no cover

    api.get("/accounts/acc_2/income").mock(side_effect=hang)
    task = asyncio.create_task(client.income.get("acc_2"))
    await started.wait()
    assert client.requests_in_flight == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.requests_in_flight == 0


async def test_copies_share_the_in_flight_bound(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    crowd = Crowd(2, load_fixture("income.json"))
    api.get(PATH).mock(side_effect=crowd.handler)
    async with PayrollClient(api_secret=secret, base_url=base_url, max_in_flight=2) as client:
        copy = client.with_options(max_retries=0)
        calls = asyncio.gather(
            *(c.income.get("acc_1") for c in (client, copy, client, copy, client, copy))
        )
        await crowd.hold_then_release()
        await calls
    assert crowd.peak == 2


async def test_rate_limit_spaces_request_starts(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str, fake_time: Any
) -> None:
    api.get(PATH).respond(200, json=load_fixture("income.json"))
    wakes: list[float] = []

    async def pace_sleep(seconds: float) -> None:
        wakes.append(fake_time.now + seconds)
        fake_time.now += seconds

    async with PayrollClient(api_secret=secret, base_url=base_url, rate_limit=10) as client:
        limiter = client._transport.limiter
        limiter._clock = fake_time
        limiter._sleep = pace_sleep
        start = fake_time.now
        await asyncio.gather(*(client.income.get("acc_1") for _ in range(5)))

    # The first request starts at once; each next one 1/10 s after the one before.
    assert wakes == pytest.approx([start + 0.1, start + 0.2, start + 0.3, start + 0.4])


async def test_rate_limit_does_not_delay_spaced_out_requests(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str, fake_time: Any
) -> None:
    api.get(PATH).respond(200, json=load_fixture("income.json"))
    async with PayrollClient(api_secret=secret, base_url=base_url, rate_limit=2) as client:
        limiter = client._transport.limiter
        limiter._clock = fake_time
        limiter._sleep = fake_time.sleep
        for _ in range(3):
            await client.income.get("acc_1")
            fake_time.now += 1.0  # longer than 1/rate between calls
    assert fake_time.sleeps == []


# -- odd responses ----------------------------------------------------------------------------


async def test_an_undecodable_body_is_a_payroll_error(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    # A body announced as gzip that is not: httpx fails while decoding it.
    broken = httpx.Response(
        200,
        headers={"content-encoding": "gzip", "content-type": "application/json"},
        stream=httpx.ByteStream(b"definitely not gzip"),
    )
    route = api.get(PATH).mock(
        side_effect=[broken, httpx.Response(200, json=load_fixture("income.json"))]
    )
    result = await client.income.get("acc_1")
    assert result.attempts == 2
    assert route.call_count == 2

    route.mock(side_effect=None)
    route.return_value = httpx.Response(
        200,
        headers={"content-encoding": "gzip"},
        stream=httpx.ByteStream(b"definitely not gzip"),
    )
    with pytest.raises(APIConnectionError) as info:
        await client.with_options(max_retries=0).income.get("acc_1")
    assert isinstance(info.value.__cause__, httpx.DecodingError)


async def test_a_redirect_is_not_followed(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get(PATH).respond(302, headers={"location": "https://elsewhere.test/"})
    with pytest.raises(PayrollError) as info:
        await client.income.get("acc_1")
    assert getattr(info.value, "status_code", None) == 302


async def test_rate_limit_error_keeps_retry_after_on_the_last_attempt(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    api.get(PATH).respond(429, headers={"retry-after-ms": "20"})
    with pytest.raises(RateLimitError) as info:
        await client.with_options(max_retries=2).income.get("acc_1")
    assert info.value.retry_after == pytest.approx(0.02)
    assert fake_time.sleeps == pytest.approx([0.02, 0.02])


async def test_errors_do_not_keep_the_secret_in_their_request(
    api: respx.MockRouter, client: PayrollClient, secret: str
) -> None:
    api.get("/accounts/acc_1/income").respond(404, json={"error": {"type": "RECORD_NOT_FOUND"}})
    api.get("/accounts/acc_2/income").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(NotFoundError) as not_found:
        await client.income.get("acc_1")
    with pytest.raises(APIConnectionError) as refused:
        await client.with_options(max_retries=0).income.get("acc_2")
    cause = refused.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    for request in (not_found.value.response.request, cause.request):
        assert request.headers["X-API-SECRET"] == "[REDACTED]"
        assert secret not in repr(request.headers)


# -- retries ----------------------------------------------------------------------------------


async def test_retries_carry_on_from_the_first_failure(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any, fake_time: Any
) -> None:
    # The first attempt runs outside tenacity; the retries must count it (attempt numbers,
    # the backoff after it, and the stop rule) exactly once.
    route = api.get(PATH).mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after": "1"}),
            httpx.Response(503, headers={"retry-after": "2"}),
            httpx.Response(200, json=load_fixture("income.json")),
        ]
    )
    result = await client.with_options(max_retries=2).income.get("acc_1")
    assert result.attempts == 3
    assert route.call_count == 3
    assert fake_time.sleeps == [1.0, 2.0]


async def test_max_retries_zero_sends_once(
    client: PayrollClient, api: respx.MockRouter, fake_time: Any
) -> None:
    route = api.get(PATH).respond(503)
    with pytest.raises(InternalServerError) as info:
        await client.with_options(max_retries=0).income.get("acc_1")
    assert route.call_count == 1
    assert info.value.attempts == 1
    assert fake_time.sleeps == []


# -- connection errors ------------------------------------------------------------------------


async def test_a_connection_error_names_the_host_and_the_cause(secret: str) -> None:
    # A real refused connection on loopback: a port just freed, with nothing listening.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with PayrollClient(
        api_secret=secret, base_url=f"http://127.0.0.1:{port}/v1", max_retries=1
    ) as client:
        client._transport._sleep = _no_sleep
        with pytest.raises(APIConnectionError) as info:
            await client.income.get("acc_1")
    text = str(info.value)
    assert f"Could not reach 127.0.0.1:{port}" in text
    assert "refused" in text.lower() or "connect call failed" in text.lower(), text
    assert "after 2 attempts" in text
    assert secret not in text


async def _no_sleep(seconds: float) -> None:
    return None


async def test_a_timeout_names_the_host(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get(PATH).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(APITimeoutError) as info:
        await client.with_options(max_retries=0).income.get("acc_1")
    assert str(info.value) == (
        "GET /accounts/acc_1/income: The request to api.test timed out (ReadTimeout)."
    )


# -- closing ----------------------------------------------------------------------------------


async def test_a_closed_client_refuses_calls_with_a_typed_error(
    api: respx.MockRouter, secret: str, base_url: str
) -> None:
    route = api.get(PATH).respond(200, json={})
    client = PayrollClient(api_secret=secret, base_url=base_url)
    copy = client.with_options(max_retries=0)
    await client.aclose()
    for closed in (client, copy, client.with_options(deadline=5.0)):
        assert closed.is_closed
        with pytest.raises(ClientClosedError) as info:
            await closed.income.get("acc_1")
        assert isinstance(info.value, PayrollError)
    assert route.call_count == 0


async def test_a_closed_copy_refuses_calls_but_leaves_the_original_open(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    api.get(PATH).respond(200, json=load_fixture("income.json"))
    # An injected http_client is never closed by us, so only our own state can refuse calls.
    async with httpx.AsyncClient() as http_client:
        client = PayrollClient(api_secret=secret, base_url=base_url, http_client=http_client)
        copy = client.with_options(max_retries=0)
        await copy.aclose()
        with pytest.raises(ClientClosedError):
            await copy.income.get("acc_1")
        assert not client.is_closed
        await client.income.get("acc_1")
        await client.aclose()
        with pytest.raises(ClientClosedError):
            await client.income.get("acc_1")
        assert not http_client.is_closed
