"""``python -m payroll_sdk.sandbox``: serve the sandbox with uvicorn on loopback.

The parser and :func:`main` are reusable (a ``payroll-sdk sandbox serve`` command can call
``main(argv)``). Prints ``PAYROLL_SANDBOX_URL=...`` and ``PAYROLL_SANDBOX_SECRET=...`` once the
port is bound, so a parent process (``SandboxProcess``) can read them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from ._config import DEFAULT_SECRET, SandboxConfig
from ._faults import ALL_KINDS, FaultConfig, FaultScriptError, LatencyConfig

__all__ = ["build_arg_parser", "config_from_args", "main"]


def _endpoint_latency(text: str) -> tuple[str, float]:
    name, sep, ms = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("expected NAME=MS, e.g. income=250")
    try:
        return name.strip(), float(ms)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of milliseconds: {ms!r}") from None


def build_arg_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The command-line options of the sandbox server."""
    parser = argparse.ArgumentParser(
        prog=prog or "python -m payroll_sdk.sandbox",
        description="Serve the Pinwheel-compatible payroll sandbox (see docs/sandbox.md).",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    add("--port", type=int, default=8000, help="port (0: any free port; default 8000)")
    add("--secret", default=DEFAULT_SECRET, help="the accepted X-API-SECRET")
    add("--seed", type=int, default=0, help="data seed (default 0)")
    add("--history-months", type=int, default=24, help="paystub/shift history length")
    add("--today", type=date.fromisoformat, default=None, help="fix 'today' (YYYY-MM-DD)")
    add("--latency-ms", type=float, default=0.0, help="fixed latency per request")
    add("--jitter-ms", type=float, default=0.0, help="extra uniform random latency")
    add(
        "--endpoint-latency",
        type=_endpoint_latency,
        action="append",
        default=[],
        metavar="NAME=MS",
        help="latency for one endpoint (repeatable)",
    )
    add("--fault-rate", type=float, default=0.0, help="probability of a random fault (0..1)")
    add("--fault-kinds", default=",".join(ALL_KINDS), help="comma-separated random fault kinds")
    add("--fault-seed", type=int, default=0, help="seed of the random faults")
    add(
        "--faults",
        default=None,
        metavar="SPEC",
        help="server-wide fault script, e.g. 'income=500*inf' (docs/sandbox.md)",
    )
    add("--retry-after", type=float, default=1.0, help="Retry-After seconds on 429 faults")
    add("--slow-seconds", type=float, default=2.0, help="body delay of 'slow' faults")
    add("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """A SandboxConfig from parsed options (ValueError when they do not make one)."""
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    return SandboxConfig(
        secret=args.secret,
        seed=args.seed,
        history_months=args.history_months,
        today=args.today,
        latency=LatencyConfig(
            ms=args.latency_ms, jitter_ms=args.jitter_ms, per_endpoint=dict(args.endpoint_latency)
        ),
        faults=FaultConfig(
            rate=args.fault_rate,
            kinds=kinds,
            seed=args.fault_seed,
            script=args.faults,
            retry_after_seconds=args.retry_after,
            slow_seconds=args.slow_seconds,
        ),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, bind the port, print the URL and secret, serve until interrupted."""
    parser = build_arg_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except (ValueError, FaultScriptError) as exc:
        parser.error(str(exc))

    import uvicorn

    from ._app import create_app
    from ._server import bind_socket, quiet_dropped_connections

    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"PAYROLL_SANDBOX_URL=http://{host}:{port}/v1")
    print(f"PAYROLL_SANDBOX_SECRET={config.secret}", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            log_level=args.log_level,
            access_log=args.log_level == "debug",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
    )
    quiet_dropped_connections()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
