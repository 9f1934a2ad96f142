"""Real workers, real Redis, real PostgreSQL, the sandbox on loopback (issue 13's tests)."""

from __future__ import annotations

import bisect
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from payroll_sdk.sandbox import FaultConfig, SandboxConfig, SandboxProcess

from .conftest import HISTORY_MONTHS, TODAY, ClusterFactory, store_runs
from .harness import ArrivalServer

USERS = 1000
KILL_USERS = 200


def _user_ids(n: int, tag: str) -> list[str]:
    return [f"{tag}_user_{i:05d}" for i in range(n)]


def _finished_once(store_url: str, batch_id: str, ids: list[str]) -> Counter[str]:
    """Each user's count of complete runs in the batch."""
    complete = Counter(
        user for user, status in store_runs(store_url, batch_id) if status == "complete"
    )
    return Counter({user: complete[user] for user in ids})


def test_two_workers_sync_every_user_exactly_once(
    make_cluster: ClusterFactory, sandbox: SandboxProcess
) -> None:
    cluster = make_cluster(sandbox.base_url, sandbox.secret)
    first, second = cluster.start_worker("w1"), cluster.start_worker("w2")
    cluster.wait_ready()
    ids = _user_ids(USERS, "once")
    started = time.monotonic()
    handle = cluster.sync(ids, chunk_size=50)
    progress = cluster.wait(handle, timeout=120)
    elapsed = time.monotonic() - started

    assert (progress.total, progress.done, progress.failed) == (USERS, USERS, 0), progress
    counts = _finished_once(cluster.env["PAYROLL_STORE_URL"], handle.batch_id, ids)
    assert set(counts.values()) == {1}, [u for u, n in counts.items() if n != 1][:10]
    # Both workers took part (20 chunks, one at a time each).
    assert first.tasks_succeeded() > 0 and second.tasks_succeeded() > 0, (
        first.tasks_succeeded(),
        second.tasks_succeeded(),
    )
    assert first.tasks_succeeded() + second.tasks_succeeded() == USERS // 50
    print(f"{USERS} users on two workers in {elapsed:.1f}s")  # noqa: T201 - shown with -s


def test_a_worker_killed_mid_run_loses_nobody_and_syncs_nobody_twice(
    make_cluster: ClusterFactory, sandbox: SandboxProcess
) -> None:
    # A short visibility timeout so the dead worker's chunks come back within the test; the
    # chunks are small so none of the survivor's own runs lasts that long.
    cluster = make_cluster(sandbox.base_url, sandbox.secret, PAYROLL_VISIBILITY_TIMEOUT="15")
    victim = cluster.start_worker("victim")
    cluster.start_worker("survivor")
    cluster.wait_ready()
    ids = _user_ids(KILL_USERS, "kill")
    handle = cluster.sync(ids, chunk_size=10)
    deadline = time.monotonic() + 60
    while not (
        victim.tasks_succeeded() >= 2 and victim.tasks_received() > victim.tasks_succeeded()
    ):
        assert time.monotonic() < deadline, victim.log_text()
        time.sleep(0.05)
    before = handle.progress()
    cluster.kill(victim)
    assert not before.finished, before  # killed mid-run, with its current chunk unfinished

    progress = cluster.wait(handle, timeout=150)
    assert (progress.done, progress.failed) == (KILL_USERS, 0), progress
    counts = _finished_once(cluster.env["PAYROLL_STORE_URL"], handle.batch_id, ids)
    assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n != 1}


RATE = 40
RATE_USERS = 60


def _busiest_second(arrivals: list[float]) -> int:
    """The most requests that arrived within any one-second window."""
    times = sorted(arrivals)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def test_the_global_rate_limit_holds_across_two_workers(
    make_cluster: ClusterFactory, tmp_path: Path
) -> None:
    server = ArrivalServer(tmp_path, history_months=HISTORY_MONTHS, today=TODAY.isoformat())
    with server:
        cluster = make_cluster(server.base_url, server.secret, PAYROLL_RATE_LIMIT=str(RATE))
        cluster.start_worker("r1")
        cluster.start_worker("r2")
        cluster.wait_ready()
        handle = cluster.sync(_user_ids(RATE_USERS, "rate"), chunk_size=5)
        progress = cluster.wait(handle, timeout=180)
    assert (progress.done, progress.failed) == (RATE_USERS, 0), progress
    # Every user is several requests: the batch needed many seconds at this rate.
    assert len(server.arrivals) > 3 * RATE
    busiest = _busiest_second(server.arrivals)
    print(f"busiest second: {busiest} requests at a limit of {RATE}/s")  # noqa: T201
    assert busiest <= 1.1 * RATE, busiest


STORM_USERS = 60


def test_a_429_storm_slows_the_run_and_loses_nothing(
    make_cluster: ClusterFactory, tmp_path: Path
) -> None:
    # Every distinct request is answered 429 (Retry-After: 1) the first time it is seen.
    config = SandboxConfig(
        today=TODAY,
        history_months=HISTORY_MONTHS,
        faults=FaultConfig(script="429:1*1", retry_after_seconds=1.0),
    )
    with SandboxProcess(config) as storm:
        cluster = make_cluster(storm.base_url, storm.secret, PAYROLL_USER_RETRIES="8")
        # One worker through the command line, which must run the same worker.
        workers = [cluster.start_worker("s1"), cluster.start_worker("s2", cli=True)]
        cluster.wait_ready()
        ids = _user_ids(STORM_USERS, "storm")
        ids_file = tmp_path / "ids.txt"
        ids_file.write_text("\n".join(ids) + "\n")
        # Enqueued and followed by the command line until done.
        done = subprocess.run(
            [sys.executable, "-m", "payroll_sdk", "sync", "--celery", "--ids-file",
             str(ids_file), "--chunk-size", "10"],
            env={**os.environ, **cluster.env},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )  # fmt: skip
        stats = storm.fetch_stats()
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{STORM_USERS}/{STORM_USERS} done, 0 failed, 0 pending" in done.stderr
    found = re.search(r"batch (\S+):", done.stderr)
    assert found is not None, done.stderr
    counts = _finished_once(cluster.env["PAYROLL_STORE_URL"], found.group(1), ids)
    assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n != 1}
    assert stats["statuses"].get("429", 0) >= STORM_USERS  # the storm happened...
    # ...and was answered by Celery retries with a countdown, not by sleeping in the worker.
    assert sum(w.log_text().count("Retry in") for w in workers) > 0
