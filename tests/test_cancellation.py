"""Cancelling ``get_profile`` / ``get_profiles`` anywhere leaves the client whole.

Each test cancels many calls at random points (``asyncio.wait_for`` with small timeouts,
``task.cancel()`` after a random delay, leaving a batch early) against a sandbox on loopback
with latency and a few faults (so cancellations also land in retries' backoff sleeps), then
checks that nothing leaked: no in-flight slot held, no response open, no pool connection
checked out, no task left running, and that a batch on a client with only 3 in-flight slots
still runs to the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from datetime import date

import httpx
import pytest

from payroll_sdk import PayrollClient, PayrollError
from payroll_sdk._aiohttp import FastTransport
from payroll_sdk._pool import ShardedTransport
from payroll_sdk.sandbox import FaultConfig, LatencyConfig, SandboxConfig, SandboxServer

ITERATIONS = 50
MAX_IN_FLIGHT = 3
INCLUDE_ALL = None


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    config = SandboxConfig(
        seed=5,
        today=date(2026, 3, 15),
        history_months=3,
        latency=LatencyConfig(ms=2, jitter_ms=8),
        faults=FaultConfig(rate=0.02, seed=5, retry_after_seconds=0.0, slow_seconds=0.05),
    )
    with SandboxServer(config) as running:
        yield running


@pytest.fixture(params=["aiohttp", "httpcore"])
async def client(
    server: SandboxServer, request: pytest.FixtureRequest
) -> AsyncIterator[PayrollClient]:
    # Both transports: the default (aiohttp) and httpx's own httpcore stack.
    transport = ShardedTransport.sized(MAX_IN_FLIGHT) if request.param == "httpcore" else None
    async with PayrollClient(
        api_secret=server.secret,
        base_url=server.base_url,
        max_in_flight=MAX_IN_FLIGHT,
        timeout=httpx.Timeout(5.0),
        transport=transport,
    ) as built:
        yield built


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    # Seeded per test, so a failure replays with the same cancellation points.
    return random.Random(request.node.name)


async def assert_intact(client: PayrollClient) -> None:
    """Nothing leaked, and the client still serves a batch through its 3 slots."""
    for _ in range(3):
        await asyncio.sleep(0)
    me = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not me and not t.done()] == []
    assert client.requests_in_flight == 0
    limiter = client._transport.limiter
    assert limiter._semaphore._value == MAX_IN_FLIGHT  # no slot leaked
    transport = client._transport.http_client._transport
    assert isinstance(transport, ShardedTransport | FastTransport)
    assert transport.in_flight == 0
    assert transport.connections_in_use == 0

    ids = [f"after_{i}" for i in range(8)]
    seen = []
    # A leaked slot or connection would stall this batch: fail instead of hanging.
    async with asyncio.timeout(60):
        async for result in client.get_profiles(ids, concurrency=4):
            seen.append(result.end_user_id)
            assert result.profile is not None or isinstance(result.error, PayrollError)
    assert sorted(seen) == ids
    assert client.requests_in_flight == 0
    assert transport.in_flight == 0


async def test_wait_for_timeouts_on_get_profile(client: PayrollClient, rng: random.Random) -> None:
    finished = cancelled = 0
    for i in range(ITERATIONS):
        try:
            await asyncio.wait_for(client.get_profile(f"wf_{i}"), timeout=rng.uniform(0, 0.06))
            finished += 1
        except TimeoutError:
            cancelled += 1
        except PayrollError:
            finished += 1
    assert cancelled > ITERATIONS // 3  # the timeouts really did cut calls short
    await assert_intact(client)


async def test_task_cancel_at_random_points(client: PayrollClient, rng: random.Random) -> None:
    cancelled = 0
    for i in range(ITERATIONS):
        # Several profiles at once, so cancellations also land while waiting for a slot.
        tasks = [asyncio.create_task(client.get_profile(f"tc_{i}_{j}")) for j in range(3)]
        await asyncio.sleep(rng.uniform(0, 0.05))
        for task in tasks:
            task.cancel()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, asyncio.CancelledError):
                cancelled += 1
            else:
                assert not isinstance(outcome, BaseException) or isinstance(
                    outcome, PayrollError
                ), outcome
    assert cancelled > ITERATIONS
    await assert_intact(client)


async def test_cancel_after_each_number_of_loop_steps(client: PayrollClient) -> None:
    """Cancel after exactly 0, 1, 2 ... event-loop steps: a sweep over the first suspension
    points of a profile, where random delays rarely land (between opening a connection and
    sending on it, for one)."""
    for steps in range(ITERATIONS):
        task = asyncio.create_task(client.get_profile(f"st_{steps}"))
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, PayrollError):
            await task
    await assert_intact(client)


async def test_cancelling_a_batch_cancels_its_profiles(
    client: PayrollClient, rng: random.Random
) -> None:
    async def consume(ids: list[str]) -> int:
        count = 0
        async with contextlib.aclosing(client.get_profiles(ids, concurrency=3)) as results:
            async for _ in results:
                count += 1
        return count

    timed_out = 0
    for i in range(ITERATIONS // 2):
        ids = [f"gp_{i}_{j}" for j in range(6)]
        try:
            await asyncio.wait_for(consume(ids), timeout=rng.uniform(0, 0.1))
        except TimeoutError:
            timed_out += 1
    assert timed_out > 0
    await assert_intact(client)


async def test_leaving_a_batch_early_cancels_the_rest(
    client: PayrollClient, rng: random.Random
) -> None:
    for i in range(ITERATIONS // 2):
        ids = [f"br_{i}_{j}" for j in range(6)]
        stop_after = rng.randrange(1, 4)
        async with contextlib.aclosing(client.get_profiles(ids, concurrency=3)) as results:
            async for seen, _ in enumerate_async(results):
                if seen + 1 == stop_after:
                    break
        await assert_no_tasks()
    await assert_intact(client)


async def enumerate_async(items: AsyncIterator[object]) -> AsyncIterator[tuple[int, object]]:
    index = 0
    async for item in items:
        yield index, item
        index += 1


async def assert_no_tasks() -> None:
    me = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not me and not t.done()] == []


async def test_closing_the_client_under_its_own_calls_fails_them_with_client_closed_error() -> None:
    # A caller that leaves `async with PayrollClient()` while tasks of its own still call it:
    # each call ends with ClientClosedError (a PayrollError), not the pool's own
    # RuntimeError("Session is closed").
    config = SandboxConfig(today=date(2026, 3, 15), latency=LatencyConfig(ms=20))
    with SandboxServer(config) as slow:
        client = PayrollClient(api_secret=slow.secret, base_url=slow.base_url, max_in_flight=3)
        calls = [asyncio.create_task(client.get_profile(f"closing_{n}")) for n in range(12)]
        await asyncio.sleep(0.05)  # three requests in flight, the rest waiting for a slot
        await client.aclose()
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
    kinds = {type(o).__name__ for o in outcomes}
    assert "ClientClosedError" in kinds  # most calls were cut short by the close
    assert kinds <= {"ClientClosedError", "PayrollProfile"}  # a user with no accounts is done
