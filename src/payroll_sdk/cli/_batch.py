"""``payroll-sdk profiles --ids FILE``: many users' profiles as JSON lines, CSV or Parquet."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Literal, TextIO

from .. import _gc
from .._validation import check_date_range
from ..aggregation import ProfileResult, failure_reason
from ._common import (
    PROG,
    CommandError,
    ExitCode,
    add_client_options,
    build_client,
    int_at_least,
    parse_include,
)
from ._progress import Progress

__all__ = ["add_profiles_command", "read_ids", "result_line"]

Status = Literal["complete", "partial", "failed"]

_DESCRIPTION = """\
Fetch the profiles of many end users concurrently and write one JSON line per user:

  {"end_user_id": "...", "status": "complete" | "partial" | "failed",
   "profile": {...} | null, "error": {...} | null}

Lines come in the order users finish, not the order of the ids file. "partial" is a profile
with problems (some resource failed); "failed" is a user with no profile at all (an unknown
end user, for example), and "error" then says why (error, message, status_code, type, code,
request_id). Profiles include raw personal data: protect the output file.

The ids file has one end-user id per line; blank lines and text after '#' are ignored; '-'
reads standard input. Progress goes to stderr, then the counts of complete, partial and failed.

--format csv or parquet writes flat tables instead, one file per table in the directory given
with -o (accounts, paystubs, earnings, deductions, taxes, shifts, summary, failures; see
docs/export.md): money as integer cents plus an exact decimal, dates as dates. Parquet needs
the 'export' extra (pyarrow). Rows are written as users finish: memory stays bounded.

Exit status: 0 when every user got a profile (complete or partial), 3 when some users failed."""


def add_profiles_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "profiles",
        help="fetch many users' profiles as JSON lines",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--ids", required=True, metavar="FILE", help="end-user ids, one per line ('-': stdin)"
    )
    parser.add_argument(
        "-o",
        "--out",
        metavar="PATH",
        help="jsonl: write the JSON lines to this file (default: stdout); csv/parquet: the "
        "directory for the table files (required)",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "csv", "parquet"),
        default="jsonl",
        help="jsonl (default): one JSON line per user; csv or parquet: flat tables",
    )
    parser.add_argument(
        "--concurrency",
        type=int_at_least(1),
        default=10,
        metavar="N",
        help="users fetched at once (default 10)",
    )
    parser.add_argument(
        "--include", type=parse_include, metavar="NAMES", help="comma-separated resources"
    )
    parser.add_argument("--from-date", metavar="YYYY-MM-DD", help="earliest pay/shift date")
    parser.add_argument("--to-date", metavar="YYYY-MM-DD", help="latest pay/shift date")
    add_client_options(parser)
    parser.set_defaults(handler=run_profiles)


def read_ids(lines: Iterable[str]) -> list[str]:
    """The ids of an ids file: stripped, without blank lines and ``#`` comments.

    (``#`` cannot occur in an id: ids are checked against a strict character set.)
    """
    ids = []
    for line in lines:
        end_user_id = line.split("#", 1)[0].strip()
        if end_user_id:
            ids.append(end_user_id)
    return ids


def result_status(result: ProfileResult) -> Status:
    if result.profile is None:
        return "failed"
    return "complete" if result.profile.complete else "partial"


def result_line(result: ProfileResult) -> str:
    """One JSON line (no newline) for a user's result."""
    status = result_status(result)
    head = json.dumps({"end_user_id": result.end_user_id, "status": status})[:-1]
    if result.profile is not None:
        # Pydantic serialises the profile straight to JSON text; no dict round trip.
        return f'{head}, "profile": {result.profile.model_dump_json()}, "error": null}}'
    assert result.error is not None
    error = failure_reason(result.error).model_dump_json()
    return f'{head}, "profile": null, "error": {error}}}'


def run_profiles(args: argparse.Namespace) -> int:
    # Checked once here: inside the batch a bad date would fail every user separately.
    check_date_range(args.from_date, args.to_date, "--from-date", "--to-date")
    if args.format != "jsonl" and not args.out:
        raise CommandError(f"--format {args.format} needs -o DIRECTORY", ExitCode.USAGE)
    ids = _load_ids(args.ids)
    if not ids:
        print(f"payroll-sdk: warning: no end-user ids in {args.ids}", file=sys.stderr)
    counts: Counter[Status] = Counter()  # filled as results are written: exact after Ctrl-C
    try:
        with ExitStack() as stack:
            sink = _open_sink(args, stack)
            asyncio.run(_fetch_all(args, ids, sink, counts))
    except KeyboardInterrupt:
        # asyncio.run cancels the batch at an await, never inside a write: every result
        # counted was written whole (and flushed when the output closed).
        written = sum(counts.values())
        print(
            f"{PROG}: interrupted: {written} of {len(ids)} users written to "
            f"{args.out or 'standard output'} ({_counts(counts)}); "
            f"the other {len(ids) - written} were not",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    print(f"{_counts(counts)} ({len(ids)} users)", file=sys.stderr)
    if args.format != "jsonl":
        print(f"tables written to {args.out}", file=sys.stderr)
    return ExitCode.SOME_FAILED if counts["failed"] else ExitCode.OK


def _counts(counts: Counter[Status]) -> str:
    return f"{counts['complete']} complete, {counts['partial']} partial, {counts['failed']} failed"


def _open_sink(args: argparse.Namespace, stack: ExitStack) -> Callable[[ProfileResult], None]:
    """Where each result goes: a JSON line, or the rows of the CSV/Parquet tables."""
    if args.format == "jsonl":
        if args.out:
            try:
                # Closed by the caller's ExitStack, after the batch.
                out: TextIO = stack.enter_context(open(args.out, "w", encoding="utf-8"))  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"cannot write {args.out}: {exc}", ExitCode.USAGE) from exc
        else:
            out = sys.stdout

        def write_line(result: ProfileResult) -> None:
            out.write(result_line(result) + "\n")

        stack.callback(out.flush)
        return write_line
    from ..export import CsvWriter, ParquetWriter

    try:
        writer: Any = (CsvWriter if args.format == "csv" else ParquetWriter)(Path(args.out))
    except OSError as exc:
        raise CommandError(f"cannot write to {args.out}: {exc}", ExitCode.USAGE) from exc
    stack.enter_context(writer)
    return writer.write_result  # type: ignore[no-any-return]


def _load_ids(path: str) -> list[str]:
    if path == "-":
        return read_ids(sys.stdin)
    try:
        with open(path, encoding="utf-8") as lines:
            return read_ids(lines)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read ids from {path}: {exc}", ExitCode.USAGE) from exc


async def _fetch_all(
    args: argparse.Namespace,
    ids: list[str],
    sink: Callable[[ProfileResult], None],
    counts: Counter[Status],
) -> None:
    progress = Progress(sys.stderr, len(ids), unit="users")
    # Everything built so far (modules, the client, the ids) lives as long as the run:
    # freezing it keeps the cyclic collector from re-scanning it in every gen-2 pass.
    async with build_client(args) as client:
        with _gc.startup_frozen():
            try:
                results = client.get_profiles(
                    ids,
                    concurrency=args.concurrency,
                    include=args.include,
                    from_date=args.from_date,
                    to_date=args.to_date,
                    on_progress=progress.update,
                )
                async for result in results:
                    sink(result)
                    counts[result_status(result)] += 1
            finally:
                progress.finish()
