"""``python -m payroll_sdk.sandbox``: serve the sandbox with uvicorn on loopback.

The parser and :func:`main` are reusable (``payroll-sdk sandbox serve`` calls ``main(argv)``).
Once the port is bound it prints ``PAYROLL_BASE_URL=...`` and ``PAYROLL_API_SECRET=...`` on
stdout: the names the client reads, so a user can export them as they are, and a parent process
(``SandboxProcess``) can read them.

The accepted secret comes from ``PAYROLL_SANDBOX_SECRET`` (default ``sandbox-secret``), never
from the command line, where every user of the machine can read it (``ps``). It is not read
from ``PAYROLL_API_SECRET``: a real API secret in the environment must not become the
sandbox's, and be printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date

from .._config import ENV_BASE_URL, ENV_SECRET
from ._config import DEFAULT_SECRET, ENV_SANDBOX_SECRET, SandboxConfig
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


class _RefusedSecret(argparse.Action):
    """``--secret`` is refused with the way to do it (it used to be accepted)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            "--secret is not accepted: a secret on the command line is visible to other users "
            f"(ps) and kept in shell history. Set {ENV_SANDBOX_SECRET} instead."
        )


def build_arg_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The command-line options of the sandbox server."""
    parser = argparse.ArgumentParser(
        prog=prog or "python -m payroll_sdk.sandbox",
        description="Serve the Pinwheel-compatible payroll sandbox (see docs/sandbox.md). "
        f"The accepted X-API-SECRET is ${ENV_SANDBOX_SECRET} (default {DEFAULT_SECRET!r}). "
        f"Once listening, prints {ENV_BASE_URL}=... and {ENV_SECRET}=... for the client.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    add("--port", type=int, default=8000, help="port (0: any free port; default 8000)")
    add("--secret", action=_RefusedSecret, help=argparse.SUPPRESS)
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


def config_from_args(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> SandboxConfig:
    """A SandboxConfig from parsed options and ``environ`` (default ``os.environ``: the
    secret); ValueError when they do not make one."""
    env = os.environ if environ is None else environ
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    return SandboxConfig(
        secret=env.get(ENV_SANDBOX_SECRET) or DEFAULT_SECRET,
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
    base_url = f"http://{host}:{port}/v1"
    print(f"{ENV_BASE_URL}={base_url}")
    print(f"{ENV_SECRET}={config.secret}", flush=True)
    if sys.stdout.isatty():  # a person, not a parent process reading the two lines
        print(
            "sandbox listening; in another shell:\n"
            f"  export {ENV_BASE_URL}={base_url} {ENV_SECRET}={config.secret}\n"
            "  payroll-sdk profile user_three_jobs   (scenario users: payroll-sdk sandbox users)",
            file=sys.stderr,
            flush=True,
        )
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
