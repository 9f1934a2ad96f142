"""``payroll-sdk sandbox serve``: the sandbox server, with the sandbox's own options."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ._common import CommandError, ExitCode

__all__ = ["SERVE_PROG", "add_sandbox_command", "run_serve"]

SERVE_PROG = "payroll-sdk sandbox serve"


def add_sandbox_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sandbox",
        help="run the bundled Pinwheel-compatible sandbox",
        description="Run the bundled Pinwheel-compatible sandbox (needs the 'sandbox' extra).",
    )
    actions = parser.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True)
    # Its options belong to the sandbox (python -m payroll_sdk.sandbox): they are passed
    # through untouched and parsed there, --help included, so the two never drift apart.
    actions.add_parser(
        "serve",
        help="serve the sandbox over HTTP on loopback (see 'sandbox serve --help')",
        add_help=False,
    )
    parser.set_defaults(handler=None)


def run_serve(argv: Sequence[str]) -> int:
    """Parse ``argv`` with the sandbox's parser (so usage and --help name this command), then
    hand them to the sandbox's own ``main``."""
    try:
        from ..sandbox import FaultScriptError
        from ..sandbox.__main__ import build_arg_parser, config_from_args, main
    except ImportError as exc:
        raise CommandError(
            f"the sandbox needs its extra: pip install 'payroll-sdk[sandbox]' ({exc})",
            ExitCode.CONFIGURATION,
        ) from exc
    parser = build_arg_parser(prog=SERVE_PROG)
    try:
        config_from_args(parser.parse_args(argv))
    except (ValueError, FaultScriptError) as exc:
        parser.error(str(exc))
    return main(argv)
