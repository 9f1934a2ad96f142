"""One process's run of the in-process sandbox case: ``python bench/_sandbox_probe.py``.

Fetches ``--users`` ordinary users' profiles through ``PayrollClient.sandbox()`` (default
``SandboxConfig``) once cold (the first sandbox of the process: it generates every user) and
``--warm`` more times, each through a fresh client and sandbox app. Prints one JSON object:
per run the wall and CPU seconds, and the CPU spent inside the sandbox app itself.

It uses only the public API, so ``bench/cases/sandbox.py`` runs this same file against older
commits of the SDK (``PYTHONPATH`` pointing at their ``src``). The sandbox's own CPU is timed
by wrapping ``Starlette.__call__`` here: with no latency configured, the app runs each request
to completion without yielding to the event loop, so the time between entering and leaving it
is the sandbox's (routing, handlers, generation, serialisation), and the rest is the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from starlette.applications import Starlette

import payroll_sdk
from payroll_sdk import PayrollClient

_inside = [0.0]
_original_call = Starlette.__call__


async def _timed_call(self: Starlette, scope: Any, receive: Any, send: Any) -> None:
    started = time.process_time()
    try:
        await _original_call(self, scope, receive, send)
    finally:
        _inside[0] += time.process_time() - started


async def _profiles(users: list[str], concurrency: int) -> int:
    count = 0
    async with PayrollClient.sandbox() as client:
        async for result in client.get_profiles(users, concurrency=concurrency):
            if result.error is not None:
                raise RuntimeError(f"{result.end_user_id}: {result.error!r}")
            count += 1
    return count


def _run(users: list[str], concurrency: int) -> dict[str, float]:
    _inside[0] = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    count = asyncio.run(_profiles(users, concurrency))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if count != len(users):
        raise RuntimeError(f"{count} profiles for {len(users)} users")
    return {"wall": wall, "cpu": cpu, "sandbox_cpu": _inside[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--warm", type=int, default=2)
    args = parser.parse_args()
    # The same ordinary users as bench/_harness.batch_users.
    users = [f"bench_{n}" for n in range(args.users)]
    Starlette.__call__ = _timed_call  # type: ignore[method-assign]
    cold = _run(users, args.concurrency)
    warm = [_run(users, args.concurrency) for _ in range(args.warm)]
    print(json.dumps({"sdk": payroll_sdk.__file__, "cold": cold, "warm": warm}))


if __name__ == "__main__":
    main()
