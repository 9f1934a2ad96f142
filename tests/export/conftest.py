"""Sandbox profiles for the export tests, fetched once per session."""

from __future__ import annotations

import asyncio

import pytest

from payroll_sdk import PayrollClient, PayrollProfile


@pytest.fixture(scope="session")
def profiles() -> list[PayrollProfile]:
    async def fetch() -> list[PayrollProfile]:
        async with PayrollClient.sandbox(max_retries=0) as client:
            users = ["user_single", "user_three_jobs", "user_degraded", "user_broken_shifts"]
            return [await client.get_profile(user) for user in users]

    return asyncio.run(fetch())
