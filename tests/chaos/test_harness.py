"""The harness's own checks, on outcomes made on purpose rather than by a chaos run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from payroll_sdk import PayrollClient, PayrollProfile

from .harness import (
    ChaosRun,
    ChaosSettings,
    Outcome,
    check_attempt_bounds,
    check_deadlines,
    stalled_between,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEADLINE = 0.05


async def _profile_out_of_time() -> PayrollProfile:
    """A profile whose accounts listing used up the whole deadline (it blocks the loop, so
    the listing itself still succeeds): every resource then failed with 0 attempts (see
    tests/aggregation/test_profile_deadline.py)."""
    page = json.loads((FIXTURES / "accounts_page.json").read_text())
    page["meta"]["next_cursor"] = None

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/accounts"):
            time.sleep(DEADLINE * 4)
            return httpx.Response(200, json=page)
        return httpx.Response(500)

    transport = httpx.MockTransport(handler)
    async with PayrollClient(
        api_secret="test-secret", base_url="http://api.test/v1", transport=transport
    ) as client:
        return await client.get_profile("user-8812", deadline=DEADLINE)


async def test_attempt_bounds_allow_zero_only_when_the_deadline_had_passed() -> None:
    """0 attempts is the truth for a resource whose profile's deadline ran out before its
    turn (this once made the suite flaky); 0 attempts with any other reason is a miscount."""
    profile = await _profile_out_of_time()
    run = ChaosRun(ChaosSettings())
    run.outcomes.append(Outcome("user-8812", "direct", DEADLINE, None, profile=profile))
    assert check_attempt_bounds(run) == []

    status = profile.accounts[0].status["income"]
    assert status.attempts == 0 and status.reason is not None
    status.reason.error = "APIConnectionError"
    failures = check_attempt_bounds(run)
    assert len(failures) == 1 and "income: 0 attempts" in failures[0]


def test_stalled_between_counts_only_the_overlap() -> None:
    stalls = [(10.0, 1.0), (12.5, 0.5), (20.0, 2.0)]  # [9, 10], [12, 12.5], [18, 20]
    assert stalled_between(stalls, 9.5, 12.25) == 0.5 + 0.25
    assert stalled_between(stalls, 0.0, 30.0) == 3.5
    assert stalled_between(stalls, 13.0, 17.0) == 0.0


def test_deadline_check_forgives_loop_stalls_after_the_deadline_only() -> None:
    run = ChaosRun(ChaosSettings())
    # A 1 s call that returned 2 s late, at loop time 100.
    run.outcomes.append(Outcome("u1", "direct", 1.0, 3.0, ended=100.0))
    run.stalls = [(100.0, 1.9)]  # the loop stood still 1.9 s after its deadline (at 98)
    assert check_deadlines(run, slack=0.25) == []

    run.stalls = [(98.5, 1.9)]  # as long a stall, but mostly before the deadline
    failures = check_deadlines(run, slack=0.25)
    assert len(failures) == 1 and "u1 (direct) took 3.00s, deadline 1.00s" in failures[0]
