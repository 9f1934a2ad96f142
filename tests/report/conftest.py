"""Profiles of sandbox scenario users, fetched once per test session (the sandbox is
deterministic: the same seed and date give the same data)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from payroll_sdk import PayrollClient, PayrollProfile

#: The scenarios the report is rendered for: normal, multi-employer, gig worker,
#: degraded/stale, partial (a resource read in part), terminated, and real-world damage
#: (unreadable records, records without dates or amounts, data not refreshed for months).
SCENARIOS = {
    "normal": "user_single",
    "multi_employer": "user_three_jobs",
    "gig_worker": "user_new_fields",
    "degraded_stale": "user_degraded",
    "partial": "user_broken_shifts",
    "terminated": "user_terminated",
    "unreadable_records": "user_unreadable_record",
    "messy_data": "user_messy_data",
    "long_unrefreshed": "user_long_unrefreshed",
}


@pytest.fixture(scope="session")
def sandbox_profile() -> Callable[[str], PayrollProfile]:
    cache: dict[str, PayrollProfile] = {}

    async def fetch(user_id: str) -> PayrollProfile:
        async with PayrollClient.sandbox(max_retries=0) as client:
            return await client.get_profile(user_id)

    def get(user_id: str) -> PayrollProfile:
        if user_id not in cache:
            # In a thread of its own: playwright's sync API runs an event loop in this one.
            with ThreadPoolExecutor(1) as pool:
                cache[user_id] = pool.submit(asyncio.run, fetch(user_id)).result()
        return cache[user_id]

    return get
