"""The sandbox in its own process, noting when each API request reached it.

    python tests/celery_workers/arrivals.py OUT.json [--history-months N] [--today D]

Prints ``PORT=<n>`` once listening; on SIGTERM writes the arrival times (``time.monotonic()``,
one clock for every process on the machine) to ``OUT.json`` and exits. It runs at a raised
scheduling priority when allowed: it stands for the API's own servers, which do not share
their cores with the workers, and a starved server would bunch arrivals that were sent evenly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from datetime import date
from typing import Any

import uvicorn

from payroll_sdk.sandbox import SandboxConfig, create_app


class ArrivalClock:
    """ASGI middleware recording when each ``/v1/`` request reached the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.arrivals: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            self.arrivals.append(time.monotonic())
        await self.app(scope, receive, send)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--history-months", type=int, default=3)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    with contextlib.suppress(OSError):
        os.nice(-10)
    from payroll_sdk.sandbox._server import bind_socket

    clock = ArrivalClock(
        create_app(SandboxConfig(history_months=args.history_months, today=args.today))
    )
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(clock, log_level="warning", access_log=False, lifespan="off")
    )

    def stop(*_: Any) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, stop)
    print(f"PORT={sock.getsockname()[1]}", flush=True)  # noqa: T201 - read by the parent
    server.run(sockets=[sock])
    with open(args.out, "w") as out:
        json.dump(clock.arrivals, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
