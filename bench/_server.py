"""Serve the sandbox for the benchmarks: one process (or several sharing one socket), pre-warmed.

Run by :class:`bench._harness.BenchSandbox`, not by hand. Differences from
``python -m payroll_sdk.sandbox``, all to keep the server from being what is measured:

* ``--warm-users``: the users' data is generated and serialised before the port is announced,
  so the first benchmark run does not pay for data generation on the server;
* the serialised-account cache is large enough for every warmed account (the default 2,048
  would evict and re-serialise accounts on every pass over 2,000 users);
* ``--workers N`` forks N uvicorn processes accepting on the same socket.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import Any


def _config(spec: dict[str, Any]) -> Any:
    from payroll_sdk.sandbox import LatencyConfig, SandboxConfig

    return SandboxConfig(
        history_months=spec.get("history_months", 24),
        today=date.fromisoformat(spec["today"]) if spec.get("today") else None,
        latency=LatencyConfig(
            ms=spec.get("latency_ms", 0.0), per_endpoint=spec.get("per_endpoint", {})
        ),
        cached_accounts=1_000_000,
    )


def _warm_app(spec: dict[str, Any], warm_users: list[str]) -> Any:
    from payroll_sdk.sandbox import create_app

    app = create_app(_config(spec))
    sandbox = app.state.sandbox
    sandbox.data._max_cached_users = max(4096, 2 * len(warm_users))
    for user_id in warm_users:
        for truth in sandbox.data.user(user_id).accounts:
            wire = sandbox.wire(truth)
            # ``history`` serialises every paystub and shift (``paystubs``/``shifts`` are
            # methods that filter it: naming them warmed nothing, and the first timed pass of
            # each case paid for generating the whole history on the server).
            _ = wire.account_item, wire.history
            for name in ("income", "identity", "employment", "direct_deposit_allocations"):
                wire.single(name)
    return app


def _serve(app: Any, sock: Any) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True, help="JSON: history_months, latency_ms, ...")
    parser.add_argument("--warm-users", default="", help="a file of user ids, one per line")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    spec = json.loads(args.spec)
    warm: list[str] = []
    if args.warm_users:
        with open(args.warm_users) as handle:
            warm = [line.strip() for line in handle if line.strip()]

    from payroll_sdk.sandbox._server import bind_socket

    # Warm once, then fork: every worker shares the generated data copy-on-write.
    app = _warm_app(spec, warm)
    sock = bind_socket("127.0.0.1", 0)
    pids = [os.getpid()]
    for _ in range(args.workers - 1):
        pid = os.fork()
        if pid == 0:
            _serve(app, sock)
            os._exit(0)
        pids.append(pid)
    print(f"PORT={sock.getsockname()[1]}", flush=True)
    print(f"PIDS={','.join(map(str, pids))}", flush=True)
    try:
        _serve(app, sock)
    finally:
        for pid in pids[1:]:
            try:
                os.kill(pid, 15)
                os.waitpid(pid, 0)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
