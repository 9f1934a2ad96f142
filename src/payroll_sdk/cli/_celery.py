"""``payroll-sdk worker`` and ``payroll-sdk sync --celery``: the Celery integration's commands.

Both read their settings from the environment like ``payroll_sdk.celery`` (see
:class:`~payroll_sdk.celery.CelerySettings`); the worker also needs ``PAYROLL_API_SECRET``,
``PAYROLL_BASE_URL`` and ``PAYROLL_STORE_URL``.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from ._common import CommandError, ExitCode, int_at_least
from ._progress import Progress

if TYPE_CHECKING:
    from ..celery import SyncHandle

__all__ = ["add_worker_command", "run_celery_sync"]

_WORKER_DESCRIPTION = """\
Run a Celery worker that syncs chunks of users into the profile store (payroll_sdk.celery).
It is 'celery -A payroll_sdk.celery worker' with the pool that fits the SDK: prefork, one
process per core by default, each process running one chunk at a time on its own event loop
with one client and one store (the concurrency is inside the chunk: PAYROLL_USER_CONCURRENCY
users, PAYROLL_MAX_IN_FLIGHT requests).

environment: PAYROLL_CELERY_BROKER, PAYROLL_STORE_URL, PAYROLL_API_SECRET, PAYROLL_BASE_URL,
PAYROLL_RATE_LIMIT (requests/s across all workers), PAYROLL_MAX_IN_FLIGHT (per process); see
docs/scale.md."""


def _celery_module() -> Any:
    try:
        import payroll_sdk.celery as module
    except ImportError as exc:
        raise CommandError(
            f"this command needs the celery extra: pip install 'payroll-sdk[celery]' ({exc})",
            ExitCode.CONFIGURATION,
        ) from exc
    return module


def add_worker_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "worker",
        help="run a Celery worker that syncs users into the store (payroll_sdk.celery)",
        description=_WORKER_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--concurrency",
        type=int_at_least(1),
        default=None,
        metavar="N",
        help="worker processes (default: one per core)",
    )
    parser.add_argument(
        "--pool",
        choices=("prefork", "solo"),
        default="prefork",
        help="prefork (default) or solo (one process); thread pools do not fit the SDK",
    )
    parser.add_argument(
        "--loglevel",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="Celery's log level (default INFO)",
    )
    parser.add_argument("--hostname", default=None, help="the worker's node name (celery -n)")
    parser.set_defaults(handler=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    module = _celery_module()
    argv = ["worker", "--pool", args.pool, "--loglevel", args.loglevel]
    if args.concurrency is not None:
        argv += ["--concurrency", str(args.concurrency)]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    module.app.worker_main(argv)
    return ExitCode.OK


def run_celery_sync(
    ids: list[str], *, chunk_size: int, poll: float = 1.0, stream: TextIO | None = None
) -> int:
    """Enqueue ``ids`` on the workers, show progress until nothing is pending, then the
    totals and the users that failed. 3 when some failed, like ``sync``."""
    module = _celery_module()
    stream = stream or sys.stderr
    handle: SyncHandle = module.sync_users(ids, chunk_size)
    try:
        print(
            f"batch {handle.batch_id}: {handle.total} users in "
            f"{-(-handle.total // chunk_size)} tasks",
            file=stream,
        )
        bar = Progress(stream, handle.total)
        while True:
            progress = handle.progress()
            bar.update(progress.done + progress.failed, progress.total)
            if progress.finished:
                break
            time.sleep(poll)
        bar.finish()
        print(str(progress), file=stream)
        failures = handle.failures()
        for user_id, error in sorted(failures.items())[:20]:
            print(f"  failed: {user_id}: {error}", file=stream)
        if len(failures) > 20:
            print(f"  ... and {len(failures) - 20} more (see the store's runs)", file=stream)
        return ExitCode.SOME_FAILED if progress.failed else ExitCode.OK
    finally:
        handle.close()
