"""What every command shares: exit codes, the connection options, errors turned into messages."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from enum import IntEnum
from typing import Any, TextIO, TypeVar

from .._client import PayrollClient
from .._config import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, ENV_BASE_URL, ENV_SECRET, ENVIRONMENTS
from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    ConfigurationError,
    InvalidInputError,
    PayrollError,
    ResponseValidationError,
)
from ..models.profile import RESOURCE_NAMES, PayrollProfile, ResourceName

__all__ = [
    "PROG",
    "WAITING_NOTICE_AFTER",
    "CommandError",
    "ExitCode",
    "add_client_options",
    "build_client",
    "error_exit_code",
    "int_at_least",
    "parse_include",
    "positive_seconds",
    "report_error",
    "waiting_notice",
    "with_waiting_notice",
]

PROG = "payroll-sdk"

#: Seconds without an answer before a command says on stderr what it is waiting for.
WAITING_NOTICE_AFTER = 5.0

_T = TypeVar("_T")


class ExitCode(IntEnum):
    """The exit statuses of ``payroll-sdk`` (documented in docs/cli.md)."""

    OK = 0
    #: Anything else: a webhook that does not verify, an unexpected SDK error, a broken pipe.
    FAILURE = 1
    #: Bad usage or input: unknown options, a malformed id or date, an unreadable ids file.
    USAGE = 2
    #: ``profiles``: some users got no profile at all (the others were written).
    SOME_FAILED = 3
    #: Missing credentials or configuration (no ``PAYROLL_API_SECRET``, a bad base URL, a
    #: missing optional dependency).
    CONFIGURATION = 4
    #: The API answered with an error, or could not be reached, or sent an unreadable body.
    API = 5
    #: Interrupted (Ctrl-C): 128 + SIGINT, as shells report it.
    INTERRUPTED = 130


class CommandError(Exception):
    """A failure a command reports itself: ``message`` on stderr, exit with ``code``."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """``--sandbox`` / ``--base-url`` / ``--environment`` (at most one of them)."""
    group = parser.add_argument_group(
        "connection",
        f"The API secret is read from {ENV_SECRET} only (never from the command line, where "
        f"other users could see it in the process list). Default server: {ENV_BASE_URL}, "
        "else production.",
    )
    choice = group.add_mutually_exclusive_group()
    choice.add_argument(
        "--sandbox",
        action="store_true",
        help="use the bundled sandbox in-process (no network, no credentials; needs the "
        "'sandbox' extra)",
    )
    choice.add_argument("--base-url", metavar="URL", help="the API's base URL, ending in /v1")
    choice.add_argument(
        "--environment", choices=sorted(ENVIRONMENTS), help="one of the contract's servers"
    )
    group.add_argument(
        "--max-retries",
        type=int_at_least(0),
        metavar="N",
        help="retries after a failed attempt, per request (default: the client's, 2)",
    )
    group.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="per attempt: the longest wait for the server to answer (connecting: at most "
        f"{DEFAULT_TIMEOUT.connect:g} s; default {DEFAULT_TIMEOUT.read:g} s)",
    )
    group.add_argument(
        "--deadline",
        type=positive_seconds,
        metavar="SECONDS",
        help="per profile: the longest it may take, every request, retry and wait included "
        f"(default {DEFAULT_DEADLINE:g} s)",
    )


def build_client(args: argparse.Namespace, **options: Any) -> PayrollClient:
    """The client the connection options ask for (``ConfigurationError`` when they cannot)."""
    if args.max_retries is not None:
        options.setdefault("max_retries", args.max_retries)
    if args.timeout is not None:
        options.setdefault("timeout", args.timeout)
    if args.deadline is not None:
        options.setdefault("deadline", args.deadline)
    if args.sandbox:
        try:
            return PayrollClient.sandbox(**options)
        except ImportError as exc:
            raise CommandError(
                f"--sandbox needs the sandbox extra: pip install 'payroll-sdk[sandbox]' ({exc})",
                ExitCode.CONFIGURATION,
            ) from exc
    return PayrollClient(base_url=args.base_url, environment=args.environment, **options)


async def fetch_profile(args: argparse.Namespace, **options: Any) -> PayrollProfile:
    """``get_profile`` for the command's ``end_user_id``, ``include``, ``from_date`` and
    ``to_date`` (plus ``options``), saying so if the server keeps it waiting."""
    async with build_client(args) as client:
        fetching = client.get_profile(
            args.end_user_id,
            include=args.include,
            from_date=args.from_date,
            to_date=args.to_date,
            **options,
        )
        notice = waiting_notice(client)
        return await with_waiting_notice(fetching, after=WAITING_NOTICE_AFTER, notice=notice)


def waiting_notice(client: PayrollClient) -> str:
    """What a command prints when the server has not answered for a while."""
    deadline = client.deadline
    limit = f"gives up after {deadline:g} s" if deadline is not None else "no deadline"
    return (
        f"{PROG}: still waiting for {client.base_url.host} ({limit}; "
        "--timeout and --deadline change that)"
    )


async def with_waiting_notice(
    work: Coroutine[Any, Any, _T],
    *,
    after: float,
    notice: str,
    stream: TextIO | None = None,
) -> _T:
    """Await ``work``; if it has not finished ``after`` seconds in, print ``notice`` once.

    A server that accepts a connection and never answers would otherwise mean a long silence
    (up to the deadline) with no clue what is going on.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=after)
        if not done:
            print(notice, file=stream if stream is not None else sys.stderr, flush=True)
        return await task
    finally:
        task.cancel()  # a no-op once it is done; stops it when we are cancelled (Ctrl-C)


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` for integers no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def positive_seconds(text: str) -> float:
    """An argparse ``type`` for a positive number of seconds (``--timeout``, ``--deadline``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):  # also rejects nan
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def parse_include(text: str) -> tuple[ResourceName, ...]:
    """``--include paystubs,income``: comma-separated resource names, checked."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in RESOURCE_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of {', '.join(RESOURCE_NAMES)}; got {text!r}"
        )
    return tuple(name for name in RESOURCE_NAMES if name in names)


def error_exit_code(exc: BaseException) -> ExitCode:
    """The exit status for an error that ended a command."""
    if isinstance(exc, CommandError):
        return exc.code
    if isinstance(exc, ConfigurationError):  # before InvalidInputError: it is one
        return ExitCode.CONFIGURATION
    if isinstance(exc, InvalidInputError):
        return ExitCode.USAGE
    if isinstance(exc, APIStatusError | APIConnectionError | ResponseValidationError):
        return ExitCode.API
    return ExitCode.FAILURE


def report_error(
    exc: BaseException, stream: TextIO | None = None, *, sandbox_option: bool = False
) -> ExitCode:
    """Print ``exc`` as a clear message (never a traceback) and return its exit status.

    ``sandbox_option``: the command has ``--sandbox``, so a missing secret may suggest it.
    SDK messages never contain the API secret (see ``_exceptions``), so they are printed as is.
    """
    out = stream if stream is not None else sys.stderr
    code = error_exit_code(exc)
    if isinstance(exc, CommandError):
        print(f"{PROG}: error: {exc}", file=out)
    elif isinstance(exc, ConfigurationError):
        print(f"{PROG}: configuration error: {exc}", file=out)
        if ENV_SECRET in str(exc):
            alternative = ", or pass --sandbox to try the bundled sandbox" if sandbox_option else ""
            print(f"hint: export {ENV_SECRET}=...{alternative}.", file=out)
    elif isinstance(exc, InvalidInputError):
        print(f"{PROG}: invalid input: {exc}", file=out)
    elif isinstance(exc, APIStatusError):
        print(f"{PROG}: API error: {exc}", file=out)
        details = {
            "status": exc.status_code,
            "type": exc.type,
            "code": exc.code,
            "request_id": exc.request_id,
        }
        print("  " + " ".join(f"{k}={v}" for k, v in details.items() if v is not None), file=out)
    elif isinstance(exc, APIConnectionError):
        print(f"{PROG}: cannot reach the API: {exc}", file=out)
    elif isinstance(exc, PayrollError):
        print(f"{PROG}: {type(exc).__name__}: {exc}", file=out)
    else:
        print(f"{PROG}: error: {exc}", file=out)
    return code
