"""The chaos suite: profiles for hundreds of users while the sandbox fails ~15% of requests.

One seeded run (see ``conftest.py`` and ``harness.py``) feeds every test below: ``get_profiles``
over 500 users (``CHAOS_USERS=5000`` for a larger run) with ``get_profile`` calls beside it,
against a sandbox on loopback injecting every fault kind it has: 429 with and without
Retry-After, 5xx with JSON and HTML bodies, dropped connections, truncated and malformed JSON,
bodies slower than the read timeout, repeated cursors.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from .harness import (
    ChaosRun,
    check_attempt_bounds,
    check_deadlines,
    check_leftovers,
    check_not_vacuous,
    check_sockets,
    check_typed_errors,
    figures,
    first,
)

TruthCheck = tuple[list[str], Counter[str]]

# Scheduling slack on top of the worst event-loop lag the run measured (see check_deadlines).
DEADLINE_SLACK = 0.25


def test_the_run_was_chaotic(chaos_run: ChaosRun, truth_check: TruthCheck) -> None:
    """Every fault kind fired, on >= 10% of requests, and every resource state occurred:
    without that the other tests would prove little."""
    _, tally = truth_check
    failures = check_not_vacuous(chaos_run, tally)
    assert not failures, first(failures)


def test_only_typed_errors_escape(chaos_run: ChaosRun) -> None:
    failures = check_typed_errors(chaos_run)
    assert not failures, first(failures)


def test_every_profile_is_the_truth_or_says_what_is_missing(truth_check: TruthCheck) -> None:
    """Complete profiles equal the sandbox's ground truth field for field; the others list
    each failed or partial resource with a typed reason and keep every page they read, with no
    duplicate and no foreign item."""
    failures, _ = truth_check
    assert not failures, first(failures)


def test_no_request_is_sent_more_than_once_plus_its_retries(chaos_run: ChaosRun) -> None:
    failures = check_attempt_bounds(chaos_run)
    assert not failures, first(failures)
    assert max(chaos_run.attempts.values()) > 1  # retries did happen


def test_every_call_ends_within_its_deadline(chaos_run: ChaosRun) -> None:
    failures = check_deadlines(chaos_run, slack=DEADLINE_SLACK)
    assert not failures, first(failures)


def test_nothing_is_left_running_or_checked_out(chaos_run: ChaosRun) -> None:
    """Afterwards: no request holds an in-flight slot, no response is open, no pool connection
    is checked out or request queued, and no task is left running."""
    failures = check_leftovers(chaos_run)
    assert not failures, first(failures)


def test_no_socket_outlives_the_client(chaos_run: ChaosRun) -> None:
    """After ``aclose()`` the process has no more sockets than before the client was built,
    and the pool never had more connections busy than requests in flight."""
    counts = chaos_run.sockets
    if counts.after_close is None:
        pytest.skip("no /proc/self/fd to count sockets in")
    assert counts.before_close  # the count sees the pool's keep-alive connections
    failures = check_sockets(counts)
    assert not failures, first(failures)


def test_figures(chaos_run: ChaosRun, truth_check: TruthCheck) -> None:
    """The run's figures add up; ``CHAOS_FIGURES=path.json`` saves them (the docs quote them)."""
    _, tally = truth_check
    numbers = figures(chaos_run, tally)
    assert numbers["faults_injected"] == sum(numbers["faults_by_kind"].values())
    # Every request the sandbox saw was sent by the client (some sent ones died on the way).
    assert numbers["requests_seen_by_sandbox"] <= numbers["requests_sent"]
    assert numbers["users"] == sum(
        numbers[k] for k in ("profiles_complete", "profiles_partial", "profiles_failed")
    )
    target = os.environ.get("CHAOS_FIGURES")
    if target:
        Path(target).write_text(json.dumps(numbers, indent=2) + "\n")
