"""``payroll-sdk sync USER... [--ids-file F] [--db URL] [--full]``: users into the profile store."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from .. import _gc
from ..aggregation import failure_reason
from ._batch import _load_ids
from ._common import CommandError, ExitCode, add_client_options, build_client, int_at_least
from ._progress import Progress

if TYPE_CHECKING:
    from ..store import ProfileStore, SyncResult

__all__ = ["add_sync_command", "sync_line"]

_DESCRIPTION = """\
Sync end users into the profile store (payroll_sdk.store): the first sync of a user reads
everything, later ones only what is new (each list from its watermark minus an overlap) and
the single resources. Each account is written in one transaction, so an interrupted run leaves
the database consistent and the next run completes it. Every sync is recorded in the runs
table (payroll_runs).

Users come from the arguments and/or --ids-file (one id per line, '#' comments; '-' reads
standard input). One JSON line per user goes to stdout, in the order users finish:

  {"end_user_id": "...", "status": "complete" | "partial" | "failed", "added": N,
   "updated": N, "requests": N, "problems": N, "error": {...} | null}

A progress bar goes to stderr, then the totals.

The database is --db, else $PAYROLL_STORE_URL, else sqlite+aiosqlite:///payroll.db (a file in
the working directory); PostgreSQL: postgresql+asyncpg://user@host/db. Needs the 'store'
extra. Exit status: 0 when every user was synced (complete or partial), 3 when some failed."""


#: From how many users ``sync`` runs the store's database work in a child process unless told:
#: below it, starting and stopping the child (0.7-0.8 s) costs more than the writes it takes
#: off this process (docs/store.md, "Performance").
_PROCESS_FROM = 50


def add_sync_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sync",
        help="sync users into the profile store (SQLite or PostgreSQL)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("users", nargs="*", metavar="USER", help="end-user ids")
    parser.add_argument(
        "--ids-file", metavar="FILE", help="more end-user ids, one per line ('-': stdin)"
    )
    parser.add_argument(
        "--db", metavar="URL", help="the store's database URL (default $PAYROLL_STORE_URL)"
    )
    parser.add_argument("--full", action="store_true", help="re-read every list from the beginning")
    parser.add_argument(
        "--concurrency",
        type=int_at_least(1),
        default=20,
        metavar="N",
        help="users synced at once (default 20)",
    )
    parser.add_argument(
        "--pii",
        choices=("raw", "mask"),
        default="raw",
        help="store identity and deposit data as returned (raw, default) or masked",
    )
    parser.add_argument(
        "--database-process",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the database work in a child process, so the writes use another core "
        f"(ProfileStore(database_process=True); default: on for more than {_PROCESS_FROM} "
        "users)",
    )
    parser.add_argument(
        "--celery",
        action="store_true",
        help="enqueue the users on Celery workers (payroll_sdk.celery, the celery extra) "
        "instead of syncing here, and show the batch's progress until it is done",
    )
    parser.add_argument(
        "--chunk-size",
        type=int_at_least(1),
        default=100,
        metavar="N",
        help="with --celery: users per task (default 100)",
    )
    add_client_options(parser)
    parser.set_defaults(handler=run_sync)


def sync_line(result: SyncResult) -> str:
    """One JSON line (no newline) for a :class:`~payroll_sdk.store.SyncResult`."""
    return json.dumps(
        {
            "end_user_id": result.end_user_id,
            "status": result.status,
            "added": result.added,
            "updated": result.updated,
            "requests": result.requests,
            "problems": len(result.problems),
            "error": (
                failure_reason(result.error).model_dump(mode="json")
                if result.error is not None
                else None
            ),
        }
    )


def run_sync(args: argparse.Namespace) -> int:
    ids = list(args.users)
    if args.ids_file:
        ids += _load_ids(args.ids_file)
    if not ids:
        raise CommandError("no end-user ids: give USER arguments or --ids-file", ExitCode.USAGE)
    if args.celery:
        # The workers sync, with their own settings (PAYROLL_STORE_URL...): options that
        # would only apply to a sync in this process are refused rather than ignored.
        if args.db or args.full or args.pii != "raw" or args.database_process is not None:
            raise CommandError(
                "--db, --full, --pii and --database-process apply to a sync in this process, "
                "not with --celery (the workers use PAYROLL_STORE_URL)",
                ExitCode.USAGE,
            )
        from ._celery import run_celery_sync

        return run_celery_sync(ids, chunk_size=args.chunk_size)
    try:
        from ..store import ProfileStore
    except ImportError as exc:
        raise CommandError(
            f"sync needs the store extra: pip install 'payroll-sdk[store]' ({exc})",
            ExitCode.CONFIGURATION,
        ) from exc
    # Built (and the URL checked) before anything is opened or requested.
    in_process = args.database_process
    if in_process is None:
        in_process = len(ids) > _PROCESS_FROM
    store = ProfileStore(args.db, pii=args.pii, database_process=in_process)
    counts = asyncio.run(_sync_all(args, store, ids, sys.stdout))
    print(
        f"{counts['complete']} complete, {counts['partial']} partial, {counts['failed']} failed "
        f"({len(ids)} users); {counts['added']} records added, {counts['updated']} updated, "
        f"{counts['requests']} requests",
        file=sys.stderr,
    )
    return ExitCode.SOME_FAILED if counts["failed"] else ExitCode.OK


async def _sync_all(
    args: argparse.Namespace, store: ProfileStore, ids: list[str], out: TextIO
) -> Counter[str]:
    counts: Counter[str] = Counter()
    progress = Progress(sys.stderr, len(ids))
    # As in `payroll-sdk profiles`: what start-up built lives as long as the run, and frozen it
    # is out of every full collector pass (measured in docs/performance.md).
    async with store, build_client(args) as client:
        with _gc.startup_frozen():
            try:
                results = store.sync_many(
                    client,
                    ids,
                    concurrency=args.concurrency,
                    full=args.full,
                    on_progress=progress.update,
                )
                async for result in results:
                    out.write(sync_line(result) + "\n")
                    counts[result.status] += 1
                    counts["added"] += result.added
                    counts["updated"] += result.updated
                    counts["requests"] += result.requests
            finally:
                progress.finish()
    out.flush()
    return counts
