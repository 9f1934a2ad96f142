"""The chaos run at full size (5,000 users): ``pytest -m slow tests/chaos``.

Deselected by default (see ``[tool.pytest.ini_options]``): it takes minutes, not seconds. It is
the same harness and the same checks as ``test_chaos.py``, ten times larger, so rarer
interleavings (a retry racing a deadline, a cancelled waiter in the pool) get their chance.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from payroll_sdk.sandbox import SandboxProcess

from .harness import ChaosSettings, all_failures, figures, first, run_chaos
from .test_chaos import DEADLINE_SLACK

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

FULL_SIZE = 5000


def test_every_promise_holds_at_full_size() -> None:
    settings = ChaosSettings(users=FULL_SIZE)
    with SandboxProcess(settings.sandbox_config()) as sandbox:
        run = asyncio.run(
            run_chaos(
                settings,
                base_url=sandbox.base_url,
                secret=sandbox.secret,
                fetch_stats=sandbox.fetch_stats,
            )
        )
    assert len(run.outcomes) == FULL_SIZE + len(settings.direct_ids())
    failures, tally = all_failures(run, slack=DEADLINE_SLACK)
    target = os.environ.get("CHAOS_FIGURES")
    if target:  # as test_chaos.py's test_figures: the run's numbers, failed or not
        Path(target).write_text(json.dumps(figures(run, tally), indent=2) + "\n")
    assert not failures, first(failures)
