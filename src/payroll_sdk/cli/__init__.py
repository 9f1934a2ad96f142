"""``payroll-sdk``: the command line.

::

    payroll-sdk profile USER_ID [--json] [--sandbox] [--include NAMES] [--from-date D] [--to-date D]
    payroll-sdk report USER_ID [-o FILE.html] [--show-pii] [--sandbox] ...
    payroll-sdk profiles --ids FILE [--out FILE.jsonl] [--concurrency N] [--sandbox]
    (both also take --base-url, --environment, --max-retries, --timeout S, --deadline S)
    payroll-sdk sync USER... [--ids-file FILE] [--db URL] [--full] [--sandbox]
    payroll-sdk sandbox serve [--port N] [--host H] [--latency-ms MS] [--faults SPEC] ...
    payroll-sdk sandbox users [--json]
    payroll-sdk webhook verify [--secret-file F] [--header 'NAME: VALUE' ...] < body
    payroll-sdk webhook sign [--secret-file F] < body
    payroll-sdk worker [--concurrency N] [--pool prefork|solo]   (the celery extra)

Credentials come from ``PAYROLL_API_SECRET`` and ``PAYROLL_BASE_URL`` like the client's (never
from the command line); ``--sandbox`` uses the bundled sandbox in-process instead. Exit
statuses: 0 ok, 1 failure, 2 bad usage or input, 3 some users of a batch failed, 4 missing
credentials or configuration, 5 API error. ``docs/cli.md`` has the details.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from .._exceptions import PayrollError
from .._version import __version__
from ._batch import add_profiles_command
from ._celery import add_worker_command
from ._common import PROG, CommandError, ExitCode, report_error
from ._profile import add_profile_command
from ._report import add_report_command
from ._sandbox import add_sandbox_command, run_serve
from ._store import add_sync_command
from ._webhook import add_webhook_command

__all__ = ["ExitCode", "build_parser", "main"]

_EPILOG = """\
exit status: 0 ok, 1 failure, 2 bad usage or input, 3 some users of a batch failed,
4 missing credentials or configuration, 5 API error (see docs/cli.md)

environment: PAYROLL_API_SECRET (the API secret), PAYROLL_BASE_URL (the API's base URL),
PAYROLL_LOG (SDK log level)"""


def build_parser() -> argparse.ArgumentParser:
    """The ``payroll-sdk`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Payroll data from a Pinwheel-compatible API, from the command line.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_profile_command(commands)
    add_profiles_command(commands)
    add_report_command(commands)
    add_sync_command(commands)
    add_sandbox_command(commands)
    add_webhook_command(commands)
    add_worker_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``payroll-sdk`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Errors are printed to stderr as one clear message, never with the API secret; argparse's
    own exits (``--help``, usage errors) are returned as statuses too, so ``main`` can be
    called in-process.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        # parse_known_args: the options after "sandbox serve" belong to the sandbox's parser.
        args, extra = parser.parse_known_args(args_list)
        if getattr(args, "sandbox_action", None) == "serve":
            return run_serve(extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        handler: Callable[[argparse.Namespace], int] = args.handler
        return int(handler(args))
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`payroll-sdk profiles ... | head`): not worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.FAILURE
    except (PayrollError, CommandError, OSError) as exc:
        # Anything else is a bug in the SDK: its traceback is the clearest report.
        return report_error(exc, sandbox_option=hasattr(args, "sandbox"))


def _exit_status(code: str | int | None) -> int:
    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return ExitCode.FAILURE
