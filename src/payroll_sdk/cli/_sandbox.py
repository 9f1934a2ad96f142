"""``payroll-sdk sandbox serve|users``: the sandbox server (with the sandbox's own options),
and the scenario users it knows."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence

from ._common import CommandError, ExitCode

__all__ = ["SERVE_PROG", "add_sandbox_command", "run_serve", "run_users"]

_USERS_EPILOG = """\
Any other id is an ordinary generated user with 0 to 3 accounts (the same id always gives the
same data); ids starting with unknown_ answer 404. Try one:

  payroll-sdk profile user_three_jobs --sandbox"""

SERVE_PROG = "payroll-sdk sandbox serve"


def add_sandbox_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sandbox",
        help="run the bundled Pinwheel-compatible sandbox",
        description="The bundled Pinwheel-compatible sandbox: serve it, or list its scenario "
        "users (needs the 'sandbox' extra).",
    )
    actions = parser.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True)
    # Its options belong to the sandbox (python -m payroll_sdk.sandbox): they are passed
    # through untouched and parsed there, --help included, so the two never drift apart.
    actions.add_parser(
        "serve",
        help="serve the sandbox over HTTP on loopback (see 'sandbox serve --help')",
        add_help=False,
    )
    users = actions.add_parser(
        "users",
        help="list the sandbox's scenario users (one per test situation)",
        description="The sandbox's scenario users: end-user ids whose data is shaped for one "
        "test situation (several jobs, a missing resource, failing pages...).",
        epilog=_USERS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    users.add_argument("--json", action="store_true", help="print {id: description} as JSON")
    users.set_defaults(handler=run_users)
    parser.set_defaults(handler=None)


def _scenarios() -> Mapping[str, str]:
    try:
        from ..sandbox import SCENARIOS
    except ImportError as exc:
        raise _missing_extra(exc) from exc
    return SCENARIOS


def _missing_extra(exc: ImportError) -> CommandError:
    return CommandError(
        f"the sandbox needs its extra: pip install 'payroll-sdk[sandbox]' ({exc})",
        ExitCode.CONFIGURATION,
    )


def run_users(args: argparse.Namespace) -> int:
    scenarios = _scenarios()
    if args.json:
        sys.stdout.write(json.dumps(dict(scenarios), indent=2) + "\n")
    else:
        width = max(len(user_id) for user_id in scenarios)
        for user_id, text in scenarios.items():
            sys.stdout.write(f"{user_id.ljust(width)}  {text}\n")
        sys.stdout.write("\n" + _USERS_EPILOG + "\n")
    return ExitCode.OK


def run_serve(argv: Sequence[str]) -> int:
    """Parse ``argv`` with the sandbox's parser (so usage and --help name this command), then
    hand them to the sandbox's own ``main``."""
    try:
        from ..sandbox import FaultScriptError
        from ..sandbox.__main__ import build_arg_parser, config_from_args, main
    except ImportError as exc:
        raise _missing_extra(exc) from exc
    parser = build_arg_parser(prog=SERVE_PROG)
    try:
        config_from_args(parser.parse_args(argv))
    except (ValueError, FaultScriptError) as exc:
        parser.error(str(exc))
    return main(argv)
