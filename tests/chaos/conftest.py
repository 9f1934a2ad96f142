"""The chaos run every test in this directory checks: one run per module, shared.

The sandbox runs in its own process (``SandboxProcess``), over real loopback: the client then
has a core to itself instead of sharing a GIL with the server, which keeps the default run
(500 users, ``CHAOS_USERS`` to change it) well under a minute.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from payroll_sdk.sandbox import SandboxProcess

from .harness import ChaosRun, ChaosSettings, check_against_truth, run_chaos


@pytest.fixture(scope="module", params=["aiohttp", "httpcore"])
def chaos_run(request: pytest.FixtureRequest) -> ChaosRun:
    # Once per transport: the default (aiohttp) and httpx's own httpcore stack.
    settings = ChaosSettings.from_env(transport=request.param)
    with SandboxProcess(settings.sandbox_config()) as sandbox:
        return asyncio.run(
            run_chaos(
                settings,
                base_url=sandbox.base_url,
                secret=sandbox.secret,
                fetch_stats=sandbox.fetch_stats,
            )
        )


@pytest.fixture(scope="module")
def truth_check(chaos_run: ChaosRun) -> tuple[list[str], Counter[str]]:
    """``check_against_truth`` once (it regenerates every user's data): failures and tally."""
    return check_against_truth(chaos_run)
