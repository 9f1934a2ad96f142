"""The client-wide in-flight bound and rate limit, on their own (the client-level behaviour is
in test_transport.py)."""

from __future__ import annotations

import asyncio

import pytest

from payroll_sdk._limiter import RequestLimiter


def test_request_limiter_refuses_bad_settings() -> None:
    with pytest.raises(ValueError):
        RequestLimiter(0)
    with pytest.raises(ValueError):
        RequestLimiter(1, rate_limit=0)


async def test_a_cancelled_waiter_leaves_no_slot_taken() -> None:
    limiter = RequestLimiter(1)
    await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limiter.release()
    assert limiter.in_flight == 0
    await asyncio.wait_for(limiter.acquire(), timeout=1)
    assert limiter.peak_in_flight == 1
