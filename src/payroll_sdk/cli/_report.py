"""``payroll-sdk report USER_ID``: one end user's verification report as an HTML page."""

from __future__ import annotations

import argparse
import asyncio
import sys

from ..report import caveats, render_html
from ._common import (
    CommandError,
    ExitCode,
    add_client_options,
    fetch_profile,
    parse_include,
)

__all__ = ["add_report_command"]

_DESCRIPTION = """\
Fetch every payroll account of one end user and write the verification report: one
self-contained HTML page (no script, nothing fetched when opened) with what to read first
(stale or disconnected accounts, resources not read completely, unreadable records, figures
that do not add up), the income at a glance, a chart of gross pay per paystub, each employer
with tenure, pay rate and year to date, pay gaps, income stability and trend.

The person's name, emails and phone numbers are masked unless --show-pii is given; SSN digits,
date of birth, address and bank numbers are never in the page. Without -o the page goes to
standard output. `payroll-sdk profile USER_ID` prints the same report as text."""


def add_report_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "report",
        help="write one end user's verification report as an HTML page",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("end_user_id", metavar="USER_ID", help="the end user's id")
    parser.add_argument(
        "-o", "--output", metavar="FILE.html", help="write the page here (default: stdout)"
    )
    parser.add_argument(
        "--show-pii",
        action="store_true",
        help="show the person's name, emails and phone numbers unmasked",
    )
    parser.add_argument(
        "--include", type=parse_include, metavar="NAMES", help="comma-separated resources"
    )
    parser.add_argument("--from-date", metavar="YYYY-MM-DD", help="earliest pay/shift date")
    parser.add_argument("--to-date", metavar="YYYY-MM-DD", help="latest pay/shift date")
    add_client_options(parser)
    parser.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    profile = asyncio.run(fetch_profile(args))
    page = render_html(profile, show_pii=args.show_pii)
    if args.output is None:
        sys.stdout.write(page)
        return ExitCode.OK
    try:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(page)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc}", ExitCode.USAGE) from exc
    found = caveats(profile)
    warnings = sum(1 for c in found if c.severity == "warning")
    print(
        f"wrote {args.output} ({warnings} warning(s), {len(found) - warnings} notice(s))",
        file=sys.stderr,
    )
    return ExitCode.OK
